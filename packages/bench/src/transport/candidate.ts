/**
 * What one side of a measurement is given: plain data, sent to the worker process over IPC.
 */
export interface SideSettings {
  /** Message size in bytes (the encoded envelope's size for statbus candidates, the payload's for raw ones). */
  readonly size: number;
  /** How many topics the measured messages rotate over (1: one topic alone); a consumer takes them all. */
  readonly topics: number;
  /** This producer's number (0-based), or the consumer's. */
  readonly index: number;
  /** How many producers send in this measurement (a consumer waits for a probe from each). */
  readonly producers: number;
  /** ZeroMQ: the address producer `i` binds is `endpoints[i]`; consumers connect to all of them. */
  readonly endpoints: readonly string[];
  /** RabbitMQ URL (AMQP candidates). */
  readonly amqpUrl: string;
  /** The exchange of this measurement (unique; deleted afterwards). */
  readonly exchange: string;
  /**
   * A named, durable queue shared by the consumers (competing consumers: how archivers scale out);
   * without it each consumer gets its own copy of every message.
   */
  readonly queue?: string;
  /** Publishes in flight at once (confirms awaited, or statbus promises unsettled). */
  readonly window: number;
  /** Deliveries handed out and not yet settled per consumer. */
  readonly prefetch: number;
  /** Pipeline mode: the store the archiver writes (`sqlite:<path>` or `mongodb://…`). */
  readonly store?: string;
}

/** Loss a statbus transport reported itself. */
export interface DetectedLoss {
  /** Holes in producer sequences reported as `gap` status. */
  readonly gaps: number;
  /** Messages known lost in those holes. */
  readonly missed: number;
  /** Messages received and dropped by the transport (its receive buffer overflowed, or they were malformed…). */
  readonly dropped: number;
}

/** The sending side of a candidate, in a producer process. */
export interface ProducerSide {
  /** Sends a probe (not counted): the consumers report when they have seen one from every producer. */
  probe(): Promise<void>;
  /**
   * Sends a trailer: a message like the measured ones (same topic, so that a loss just before it shows
   * as a sequence gap) that consumers do not count. Sent after the measured messages until the end.
   */
  trail(): Promise<void>;
  /**
   * Sends one measured message carrying `stamp` (see `now()`). Resolves when the candidate accepts
   * another send: its own backpressure rule.
   */
  send(stamp: number): Promise<void>;
  /** Resolves when everything sent is accepted (queued, or confirmed by the broker). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** What a consumer side reports as it receives. */
export interface ConsumerListener {
  /** A measured message, with the stamp it carried. */
  message(stamp: number): void;
  /** A probe from producer `producer` (a key unique per producer). */
  probe(producer: string): void;
}

/** The receiving side of a candidate, in a consumer process. */
export interface ConsumerSide {
  /** Loss the candidate itself detected and reported (sequence gaps), when it can. */
  detected(): DetectedLoss | undefined;
  close(): Promise<void>;
}

/** State shared by the sides a single process hosts (the in-memory bus of the in-memory candidate). */
export type ProcessLocal = Map<string, unknown>;

/** What the coordinator knows of a candidate without loading it (its libraries load in the workers only). */
export interface CandidateInfo {
  /** Short stable id used on the command line and in JSON (`raw-zeromq`, `statbus-amqp`…). */
  readonly id: string;
  /** Display name. */
  readonly name: string;
  /** The id of the raw library this candidate is compared with. */
  readonly baseline?: string;
  /** Whether it needs the RabbitMQ broker. */
  readonly broker: boolean;
  /** Whether consumers of one named queue compete for its messages (else each gets every message). */
  readonly sharedQueues: boolean;
  /**
   * `processes`: each producer and consumer is its own process (the sides meet over the network).
   * `single`: every side in one process (the in-memory bus cannot cross processes).
   */
  readonly layout: 'processes' | 'single';
  /** Why it cannot run in this installation, if it cannot (checked before the run; it is then skipped). */
  unavailable?(): string | undefined;
}

/** A benchmark candidate, loaded: a raw library or a statbus transport, with or without the archiver behind it. */
export interface Candidate extends CandidateInfo {
  producer(settings: SideSettings, local: ProcessLocal): Promise<ProducerSide>;
  /** Resolves when the consumer is subscribed (messages published from then on reach it, bar slow joiners). */
  consumer(settings: SideSettings, listener: ConsumerListener, local: ProcessLocal): Promise<ConsumerSide>;
}
