/** What one side-by-side candidate (a raw library or a statbus transport) must offer the benchmark. */
export interface BenchPair {
  /**
   * Sends message `index` carrying `stamp` (performance.now() at send time, for latency). Resolves when
   * the candidate accepts another send (its own backpressure rule).
   */
  send(index: number, stamp: number): Promise<void>;
  /** Resolves when everything sent is accepted (queued / confirmed). */
  flush(): Promise<void>;
  /** Called by the candidate for each received message with the stamp it carried. */
  onReceive(listener: (stamp: number) => void): void;
  /** Loss the candidate itself detected and reported (gaps), if it can. */
  detected(): { gaps: number; missed: number } | undefined;
  close(): Promise<void>;
}

/** A candidate of the benchmark. */
export interface BenchCandidate {
  readonly name: string;
  /** Which raw library this candidate is compared with (`undefined` for the raw ones). */
  readonly baseline?: string;
  /** A connected publisher/subscriber pair; resolves when a message sent now would be received. */
  open(size: number): Promise<BenchPair>;
}
