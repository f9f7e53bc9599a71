import { TransportError, type Envelope, type Logger } from '@statbus/core';
import type { Producer } from '@statbus/producer';
import { DEMO_EVENTS, DEMO_PACKAGES, DEMO_USERS, type DemoPick } from './demo-catalogue.js';

/** Options of {@link DemoTraffic}. */
export interface DemoTrafficOptions {
  /** Average messages a second in the busiest hour of the compressed day. */
  readonly rate: number;
  /** Length of one compressed day in ms: traffic follows it, with a quiet night. */
  readonly dayMs: number;
  /** Stop generating after this many messages (default: never). */
  readonly limit?: number;
}

const pick: DemoPick = {
  int: (max) => Math.floor(Math.random() * (max + 1)),
  one: (items) => items[Math.floor(Math.random() * items.length)] as (typeof items)[number],
  // A few people do most of the work, as in any organisation.
  user: () => DEMO_USERS[Math.floor(DEMO_USERS.length * Math.random() ** 2)] as string,
  pkg: () => DEMO_PACKAGES[Math.floor(DEMO_PACKAGES.length * Math.random() ** 1.5)] as string,
};

const totalWeight = DEMO_EVENTS.reduce((sum, event) => sum + event.weight, 0);

function chooseEvent(): (typeof DEMO_EVENTS)[number] {
  let roll = Math.random() * totalWeight;
  for (const event of DEMO_EVENTS) {
    roll -= event.weight;
    if (roll <= 0) return event;
  }
  return DEMO_EVENTS[0] as (typeof DEMO_EVENTS)[number];
}

/**
 * Imitates an organisation's services on the bus: builds, updates, commits, sign-ups, badges… with
 * realistic topics, users and packages, a daily rhythm (busy afternoons, a quiet night) compressed into
 * `dayMs`, and now and then a mass rebuild's burst of builds.
 */
export class DemoTraffic {
  readonly #producer: Producer;
  readonly #options: DemoTrafficOptions;
  readonly #logger: Logger;
  readonly #onPublished: (envelope: Envelope) => void;
  #published = 0;
  #failed = 0;
  #refused = 0;
  /** The first reason of each kind, for the user to look at. */
  readonly #reasons = new Map<string, string>();
  #issued = 0;
  #finish: () => void = () => undefined;
  /** Resolves once `limit` messages were issued and have settled (never without a limit). */
  readonly finished: Promise<void>;
  #timer: NodeJS.Timeout | undefined;
  #inFlight = new Set<Promise<void>>();
  readonly #started: number;

  constructor(producer: Producer, options: DemoTrafficOptions, logger: Logger, onPublished: (envelope: Envelope) => void = () => undefined) {
    this.#producer = producer;
    this.#onPublished = onPublished;
    // Start mid-morning, so that a newcomer sees traffic at once; the night comes later.
    this.#started = Date.now() - 0.35 * options.dayMs;
    this.#options = options;
    this.#logger = logger.child({ component: 'demo' });
    this.finished = new Promise<void>((resolve) => {
      this.#finish = resolve;
    });
  }

  /** Messages the bus accepted (resolved publishes). */
  get published(): number {
    return this.#published;
  }

  /** Messages the bus did not take (the transport rejected the publish), each logged. */
  get failed(): number {
    return this.#failed;
  }

  /**
   * Messages the demo itself made wrong, refused by the producer before they reached the bus (a topic
   * outside the grammar, a body failing its schema…), each logged: a fault of the demo, not of the bus.
   */
  get refused(): number {
    return this.#refused;
  }

  /** The first message of each kind of failure, by kind (`refused` or `failed`) and error code. */
  get reasons(): ReadonlyMap<string, string> {
    return this.#reasons;
  }

  start(): void {
    this.#tick();
  }

  #rate(): number {
    const phase = ((Date.now() - this.#started) % this.#options.dayMs) / this.#options.dayMs;
    // Night at phase 0, busiest at 0.6 (mid-afternoon); never quite silent.
    const daylight = 0.5 - 0.5 * Math.cos(2 * Math.PI * (phase - 0.1));
    return Math.max(0.05, daylight) * this.#options.rate;
  }

  #tick(): void {
    const burst = Math.random() < 0.01 ? 20 + Math.floor(Math.random() * 60) : 1;
    for (let index = 0; index < burst && !this.#limitReached(); index += 1) this.#publishOne(burst > 1);
    if (this.#limitReached()) {
      this.#timer = undefined;
      void Promise.all([...this.#inFlight]).then(() => this.#finish());
      return;
    }
    const delay = -Math.log(1 - Math.random()) * (1000 / this.#rate());
    this.#timer = setTimeout(() => this.#tick(), Math.min(delay, 5_000));
  }

  #limitReached(): boolean {
    return this.#options.limit !== undefined && this.#issued >= this.#options.limit;
  }

  #publishOne(massRebuild: boolean): void {
    this.#issued += 1;
    const event = massRebuild ? (DEMO_EVENTS[0] as (typeof DEMO_EVENTS)[number]) : chooseEvent();
    const made = event.body(pick);
    const publishing = this.#producer
      .publish(event.suffix, made.body, { usernames: made.users, packages: made.packages, agent: made.agent })
      .then(
        (envelope) => {
          this.#published += 1;
          this.#onPublished(envelope);
        },
        (error: unknown) => {
          const byBus = error instanceof TransportError;
          if (byBus) this.#failed += 1;
          else this.#refused += 1;
          const code = (error as { code?: unknown }).code;
          const key = `${byBus ? 'failed' : 'refused'} ${typeof code === 'string' ? code : 'ERR_UNKNOWN'}`;
          if (!this.#reasons.has(key)) this.#reasons.set(key, `${event.suffix}: ${(error as Error).message}`);
          // Logged without the stack: the message names the fault, and a flood of traces hides it.
          this.#logger.warn({ topic: event.suffix, reason: (error as Error).message, code, failed: this.#failed, refused: this.#refused }, byBus ? 'demo message not taken by the bus' : 'demo message refused by the producer');
        },
      )
      .finally(() => this.#inFlight.delete(publishing));
    this.#inFlight.add(publishing);
  }

  /** Stops generating; resolves when every publish started has settled. */
  async stop(): Promise<number> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await Promise.all([...this.#inFlight]);
    return this.#published;
  }
}
