import type { Transport } from '@statbus/core';

/** What a backend can do beyond the common contract; the suite runs the matching extra cases. */
export interface TransportCapabilities {
  /** Named queues shared by competing consumers (AMQP). */
  readonly sharedQueues: boolean;
  /** `nack()` makes the bus deliver the message again (AMQP, memory; ZeroMQ redelivers in-process). */
  readonly redelivery: boolean;
}

/**
 * One bus for one run of the contract suite: every transport it creates talks to the same bus, and
 * nothing it creates is seen by other runs (unique exchange, relay ports, bus instance…).
 */
export interface TransportHarness {
  readonly capabilities: TransportCapabilities;
  /** A new transport on this bus, not yet connected. The suite connects and closes it. */
  create(): Promise<Transport>;
  /**
   * Puts raw bytes on the bus under `topic`, as a foreign or broken producer would: the suite uses it to
   * prove that a malformed frame is dropped, counted and reported while the subscriber keeps going.
   * Resolves when the bus holds the bytes (AMQP: confirmed), so that they precede what is published next.
   */
  injectRaw(topic: string, bytes: Uint8Array): Promise<void>;
  /**
   * A unique name for a shared queue the suite subscribes with (`label` says what for), which the harness
   * remembers so that `teardown` can delete it. Default: `statbus.test.contract.<label>.<uuid>`.
   */
  queueName?(label: string): string;
  /** Removes everything the harness made (queues, exchanges, relays). */
  teardown(): Promise<void>;
}
