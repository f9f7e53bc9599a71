/** One log method: structured fields first, then the message (pino's order). */
export interface LogFn {
  (fields: object, message?: string): void;
  (message: string): void;
}

/** The logging seam: pino's loggers satisfy it; packages log through it and never pick a logger themselves. */
export interface Logger {
  trace: LogFn;
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  child(bindings: Record<string, unknown>): Logger;
}

const ignore: LogFn = () => undefined;

/** A logger that discards everything: the default where none is given. */
export const silentLogger: Logger = {
  trace: ignore,
  debug: ignore,
  info: ignore,
  warn: ignore,
  error: ignore,
  child: () => silentLogger,
};
