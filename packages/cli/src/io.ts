/** The signals a long-running command stops on. */
export type ShutdownSignal = 'SIGINT' | 'SIGTERM';

/** Where a command reads and writes: the real process in `bin.ts`, buffers and emitters in tests. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly stdin?: NodeJS.ReadableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Emits `SIGINT` / `SIGTERM` (the process in `bin.ts`). */
  readonly signals?: {
    on(signal: ShutdownSignal, listener: () => void): unknown;
    off(signal: ShutdownSignal, listener: () => void): unknown;
  };
}

/** Resolves with the first SIGINT or SIGTERM (or never, without `io.signals`); `stop()` resolves it too. */
export function shutdownSignal(io: CliIo): { readonly received: Promise<string>; stop(): void } {
  let stop: (reason: string) => void = () => undefined;
  const received = new Promise<string>((resolve) => {
    const signals: ShutdownSignal[] = ['SIGINT', 'SIGTERM'];
    const listeners = signals.map((signal) => {
      const listener = (): void => stop(signal);
      io.signals?.on(signal, listener);
      return [signal, listener] as const;
    });
    stop = (reason) => {
      for (const [signal, listener] of listeners) io.signals?.off(signal, listener);
      resolve(reason);
    };
  });
  return { received, stop: () => stop('stopped') };
}
