import {
  CONFIG,
  LOGGER,
  SchemaRegistry,
  StatbusError,
  TRANSPORT,
  Verifier,
  compilePatterns,
  type JsonSchema,
  type Logger,
  type SchemaOptions,
  type StatbusConfig,
  type Transport,
  type TransportStatus,
} from '@statbus/core';
import { inject, injectable } from 'inversify';
import { AttemptTracker } from './attempt-tracker.js';
import { emptyCounters, emptyHandlerCounters, snapshotCounters, type ConsumerCounters } from './consumer-counters.js';
import { ConsumerGroup } from './consumer-group.js';
import type { ConsumerHandler, HandlerFunction, HandlerOptions } from './consumer-handler.js';
import { DeliveryProcessor } from './delivery-processor.js';
import type { HealthReport } from './health-report.js';
import { assessReadiness, type HubState } from './readiness.js';
import { ReceiveGuard } from './receive-guard.js';

/** How a hub ended: what `stop()` and {@link ConsumerHub.finished} resolve with. */
export interface HubResult {
  readonly reason: string;
  /** The exit code the process should end with: 0 for a requested stop, the `HaltConsumer`'s, 1 for a failure. */
  readonly exitCode: number;
}

/** Options of {@link ConsumerHub.stop}. */
export interface StopOptions {
  readonly reason?: string;
  readonly exitCode?: number;
}

/**
 * Runs handlers bound to topic patterns over any {@link Transport}: one subscription per consumer group,
 * at most `[consumer] concurrency` handlers at once per group, ack after the handlers resolved, retries
 * bounded by `max_retries`, then dead-lettering. Messages failing signature verification (`[signing] verify`)
 * or the JSON Schema registered for their topic never reach a handler: they are dead-lettered and counted
 * as `rejected`. See the README for the handler signals `Nack`, `Drop` and `HaltConsumer`.
 */
@injectable()
export class ConsumerHub {
  /** Schemas bodies are validated against on receipt; see {@link registerSchema}. */
  readonly schemas = new SchemaRegistry();
  /** Resolves once the hub has stopped, whichever way (stop, halt, failure); never rejects. */
  readonly finished: Promise<HubResult>;
  readonly #transport: Transport;
  readonly #config: StatbusConfig;
  readonly #log: Logger;
  readonly #groups = new Map<string, ConsumerGroup>();
  readonly #counters: ConsumerCounters = emptyCounters();
  readonly #attempts = new AttemptTracker();
  readonly #up = new Set<string>();
  readonly #down = new Set<string>();
  #state: HubState = 'idle';
  #connectResolved = false;
  #closed = false;
  #connectedSince: number | undefined;
  #statusIterator: AsyncIterator<TransportStatus> | undefined;
  #starting: Promise<void> | undefined;
  #stopping: Promise<HubResult> | undefined;
  #resolveFinished!: (result: HubResult) => void;
  #processorInstance: DeliveryProcessor | undefined;

  constructor(@inject(TRANSPORT) transport: Transport, @inject(CONFIG) config: StatbusConfig, @inject(LOGGER) logger: Logger) {
    this.#transport = transport;
    this.#config = config;
    this.#log = logger.child({ component: 'consumer' });
    this.finished = new Promise((resolve) => {
      this.#resolveFinished = resolve;
    });
  }

  get state(): HubState {
    return this.#state;
  }

  /**
   * Adds a handler: an object with `patterns` and `handle`, or patterns and a function. Call before `start()`.
   *
   * @throws {TopicError} for a malformed pattern.
   * @throws {StatbusError} `ERR_CONFIG` for no pattern, a name already taken, or a call after `start()`.
   */
  register(handler: ConsumerHandler, options?: HandlerOptions): this;
  register(patterns: readonly string[], handle: HandlerFunction, options?: HandlerOptions): this;
  register(first: ConsumerHandler | readonly string[], second?: HandlerFunction | HandlerOptions, third?: HandlerOptions): this {
    if (this.#state !== 'idle') throw new StatbusError('ERR_CONFIG', 'Register handlers before start()');
    const isFunction = Array.isArray(first);
    const patterns: readonly string[] = isFunction ? first : (first as ConsumerHandler).patterns;
    const options: HandlerOptions = (isFunction ? third : (second as HandlerOptions | undefined)) ?? {};
    let handle: HandlerFunction;
    let defaultName: string;
    if (isFunction) {
      if (typeof second !== 'function') throw new StatbusError('ERR_CONFIG', 'A handler function is required after its patterns');
      handle = second;
      defaultName = second.name;
    } else {
      const object = first as ConsumerHandler;
      if (typeof object.handle !== 'function') throw new StatbusError('ERR_CONFIG', 'A handler object needs a handle(envelope, context) method');
      handle = (envelope, context) => object.handle(envelope, context);
      defaultName = object.name ?? object.constructor.name;
    }
    const given: unknown = patterns;
    if (!Array.isArray(given) || patterns.length === 0) throw new StatbusError('ERR_CONFIG', 'A handler needs at least one topic pattern');
    const matcher = compilePatterns(patterns);
    const name = this.#nameFor(options.name, defaultName);
    const group = this.#group(options.group ?? this.#config.consumer.group ?? this.#config.producer.name);
    group.handlers.push({ name, group: group.name, patterns: [...patterns], matcher, handle });
    this.#counters.handlers[name] = emptyHandlerCounters();
    return this;
  }

  #nameFor(explicit: string | undefined, fallback: string): string {
    const taken = (name: string): boolean => Object.hasOwn(this.#counters.handlers, name);
    if (explicit !== undefined) {
      if (explicit === '' || taken(explicit)) throw new StatbusError('ERR_CONFIG', `Handler name ${JSON.stringify(explicit)} is empty or already taken`);
      return explicit;
    }
    const base = fallback === '' || fallback === 'Object' ? 'handler' : fallback;
    let name = base;
    for (let index = 2; taken(name); index += 1) name = `${base}#${index}`;
    return name;
  }

  #group(name: string): ConsumerGroup {
    let group = this.#groups.get(name);
    if (group === undefined) {
      const { concurrency, prefetch } = this.#config.consumer;
      group = new ConsumerGroup(
        name,
        {
          process: (delivery, owner) => this.#processor().process(delivery, owner),
          giveBack: (delivery) => this.#processor().giveBack(delivery),
          ended: (owner, error) => {
            this.#log.error({ group: owner.name, err: error }, 'subscription ended unexpectedly');
            const why = error instanceof Error ? `: ${error.message}` : '';
            void this.stop({ reason: `subscription of group ${owner.name} ended${why}`, exitCode: 1 });
          },
        },
        { concurrency, prefetch: prefetch ?? concurrency * 2 },
      );
      this.#groups.set(name, group);
    }
    return group;
  }

  /**
   * Registers a JSON Schema (full-topic pattern) that bodies must pass on receipt.
   *
   * @throws {TopicError} / {@link SchemaDefinitionError} as {@link SchemaRegistry.register}.
   */
  registerSchema(pattern: string, schema: JsonSchema, options: SchemaOptions): this {
    this.schemas.register(pattern, schema, options);
    return this;
  }

  #processor(): DeliveryProcessor {
    if (this.#processorInstance === undefined) throw new StatbusError('ERR_CONFIG', 'The hub is not started');
    return this.#processorInstance;
  }

  /**
   * Loads the verification keys (with `[signing] verify`), connects the transport (idempotent) and subscribes
   * every group. Calling it again returns the same promise.
   *
   * @returns when every subscription is live.
   * @throws {StatbusError} `ERR_CONFIG` with no handler or after a stop; {@link SigningKeyError} when the keys
   *   cannot be read; what the transport's `connect` or `subscribe` rejects with. The hub is then stopped
   *   and {@link finished} resolves with exit code 1.
   */
  start(): Promise<void> {
    this.#starting ??= this.#start();
    return this.#starting;
  }

  async #start(): Promise<void> {
    if (this.#state !== 'idle') throw new StatbusError('ERR_CONFIG', `Cannot start a consumer hub that is ${this.#state}`);
    if (this.#groups.size === 0) throw new StatbusError('ERR_CONFIG', 'Register at least one handler before start()');
    this.#state = 'starting';
    const started: ConsumerGroup[] = [];
    try {
      const verifier = this.#config.signing.verify ? await Verifier.fromConfig(this.#config.signing) : undefined;
      this.#processorInstance = new DeliveryProcessor({
        guard: new ReceiveGuard(this.schemas, verifier),
        counters: this.#counters,
        attempts: this.#attempts,
        maxRetries: this.#config.consumer.max_retries,
        retryDelayMs: this.#config.consumer.retry_delay_ms,
        logger: this.#log,
        onHalt: (halt, handler) => void this.stop({ reason: `${handler}: ${halt.message}`, exitCode: halt.exitCode }),
      });
      this.#watchStatus();
      await this.#transport.connect();
      this.#connectResolved = true;
      this.#connectedSince ??= Date.now();
      for (const group of this.#groups.values()) {
        await group.start(this.#transport);
        started.push(group);
      }
      this.#state = 'running';
      this.#log.info({ groups: [...this.#groups.keys()] }, 'consumer started');
    } catch (error) {
      await Promise.all(started.map((group) => group.stop()));
      this.#finish({ reason: `start failed: ${error instanceof Error ? error.message : String(error)}`, exitCode: 1 });
      throw error;
    }
  }

  #watchStatus(): void {
    const iterator = this.#transport.status()[Symbol.asyncIterator]();
    this.#statusIterator = iterator;
    void (async () => {
      try {
        for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) this.#onStatus(next.value);
      } catch (error) {
        this.#log.warn({ err: error }, 'transport status stream failed');
      }
    })();
  }

  #onStatus(status: TransportStatus): void {
    switch (status.type) {
      case 'connected':
        if (!this.#connected()) this.#connectedSince = Date.now();
        this.#down.delete(status.address);
        this.#up.add(status.address);
        break;
      case 'disconnected':
      case 'reconnecting':
        this.#up.delete(status.address);
        this.#down.add(status.address);
        break;
      case 'closed':
        this.#closed = true;
        break;
      case 'gap':
        this.#log.warn({ producer: status.producer, instance: status.instance, missed: status.missed }, 'messages lost (gap)');
        break;
      default:
        break;
    }
  }

  /** Connected to something: `connect()` resolved, the transport is not closed, and not every known address is down. */
  #connected(): boolean {
    return this.#connectResolved && !this.#closed && (this.#down.size === 0 || this.#up.size > 0);
  }

  /**
   * Stops taking messages, lets the handlers running finish and their messages be settled, gives back the
   * messages taken but not started (requeued, never acked), and closes every subscription. It does not close
   * the transport. Idempotent: later calls resolve with the first call's result.
   *
   * @returns the hub's result once stopped; never rejects.
   */
  stop(options: StopOptions = {}): Promise<HubResult> {
    this.#stopping ??= this.#stop({ reason: options.reason ?? 'stopped', exitCode: options.exitCode ?? 0 });
    return this.#stopping;
  }

  async #stop(result: HubResult): Promise<HubResult> {
    if (this.#state === 'starting') await this.#starting?.catch(() => undefined);
    if (this.#state === 'stopped') return this.finished;
    this.#state = 'stopping';
    this.#log.info({ reason: result.reason }, 'consumer stopping');
    // Called before any await: every group stops taking deliveries now, not a tick later.
    const stops = [...this.#groups.values()].map((group) => group.stop());
    await Promise.all(stops);
    this.#finish(result);
    return result;
  }

  #finish(result: HubResult): void {
    this.#state = 'stopped';
    void this.#statusIterator?.return?.();
    this.#log.info({ reason: result.reason, exitCode: result.exitCode }, 'consumer stopped');
    this.#resolveFinished(result);
  }

  /** A snapshot of the running totals. */
  counters(): ConsumerCounters {
    return snapshotCounters(this.#counters);
  }

  /** Liveness, readiness (with the watchdog judged at `now`) and every counter. */
  health(now: number = Date.now()): HealthReport {
    const connected = this.#connected();
    const readiness = assessReadiness({
      state: this.#state,
      connected,
      connectedSince: this.#connectedSince,
      lastMessageAt: this.#counters.lastMessageAt,
      watchdogMs: this.#config.consumer.watchdog_s * 1000,
      now,
    });
    return {
      live: this.#state !== 'stopped',
      ready: readiness.ready,
      reasons: readiness.reasons,
      state: this.#state,
      connected,
      counters: this.counters(),
      groups: [...this.#groups.values()].map((group) => ({
        name: group.name,
        patterns: group.patterns,
        handlers: group.handlers.map((handler) => handler.name),
        concurrency: group.concurrency,
        inFlight: group.inFlight,
      })),
      transport: this.#transport.counters(),
    };
  }
}
