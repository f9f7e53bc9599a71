import type { TransportStatus } from '@statbus/core';
import type { Socket } from 'zeromq';

/** Where a connection of a socket stands. */
export type EndpointState = 'pending' | 'up' | 'down';

/** What a {@link SocketMonitor} tells its owner. */
export interface MonitorSink {
  status(event: TransportStatus): void;
  reconnected(): void;
}

/**
 * Turns a socket's event observer into `connected` / `disconnected` / `reconnecting` status and keeps
 * the state of each connected address (used by the readiness probe).
 */
export class SocketMonitor {
  readonly #states = new Map<string, EndpointState>();
  readonly #attempts = new Map<string, number>();
  readonly #wasUp = new Set<string>();
  readonly #listeners = new Set<() => void>();

  constructor(socket: Socket, sink: MonitorSink, connecting: readonly string[] = []) {
    for (const address of connecting) this.#states.set(address, 'pending');
    const events = socket.events;
    events.on('bind', ({ address }) => sink.status({ type: 'connected', address }));
    events.on('connect', ({ address }) => {
      if (this.#wasUp.has(address)) sink.reconnected();
      this.#wasUp.add(address);
      this.#attempts.delete(address);
      this.#set(address, 'up');
      sink.status({ type: 'connected', address });
    });
    events.on('disconnect', ({ address }) => {
      this.#set(address, 'down');
      sink.status({ type: 'disconnected', address });
    });
    events.on('connect:retry', ({ address, interval }) => {
      const attempt = (this.#attempts.get(address) ?? 0) + 1;
      this.#attempts.set(address, attempt);
      if (this.#states.get(address) !== 'up') this.#set(address, 'down');
      sink.status({ type: 'reconnecting', address, attempt, delayMs: interval });
    });
    events.on('bind:error', ({ address, error }) => sink.status({ type: 'error', error: new Error(`cannot bind ${address}`, { cause: error }) }));
  }

  /** The state of each address given as `connecting`, or seen in an event. */
  states(): ReadonlyMap<string, EndpointState> {
    return this.#states;
  }

  /** Calls `listener` on every state change until the returned function is called. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #set(address: string, state: EndpointState): void {
    this.#states.set(address, state);
    for (const listener of this.#listeners) listener();
  }
}
