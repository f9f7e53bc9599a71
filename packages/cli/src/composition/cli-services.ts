import { BUS_EVENT_RECORDER, MESSAGE_STORE, TRANSPORT, type BusEventRecorder, type MessageStore, type StatbusConfig, type Transport } from '@statbus/core';
import { ConsumerHub, HealthServer } from '@statbus/consumer';
import { METRICS_USER_PLUGINS, MetricsCatalog, MetricsEngine, MetricsReader, loadPlugins } from '@statbus/metrics';
import { Producer } from '@statbus/producer';
import { QueryServer } from '@statbus/query';
import { ARCHIVER_OPTIONS, Archiver, type ArchiverOptions } from '@statbus/sink';
import { ZeroMqRelay } from '@statbus/transport-zeromq';
import type { Container } from 'inversify';
import { CliError } from '../cli-error.js';

/**
 * The services a command uses, each resolved from the composition root's container on first ask and the same
 * instance after (the container's scope is singleton). Nothing is built until asked for, so a command that never
 * asks for the transport opens no socket.
 */
export class CliServices {
  readonly #container: Container;
  readonly #config: StatbusConfig;
  readonly #cwd: string;
  #catalog: Promise<MetricsCatalog> | undefined;

  /** @param cwd where `[metrics] plugins` module paths are resolved from. */
  constructor(container: Container, config: StatbusConfig, cwd: string) {
    this.#container = container;
    this.#config = config;
    this.#cwd = cwd;
  }

  /** The configured message store (not yet initialised: call `init()`). */
  store(): MessageStore {
    return this.#container.get(MESSAGE_STORE);
  }

  /** The configured transport (not yet connected). */
  transport(): Transport {
    return this.#container.get(TRANSPORT);
  }

  producer(): Producer {
    return this.#container.get(Producer);
  }

  /** The archiver; ask after {@link recordBusEvents} when the metrics should hear of what it refuses. */
  archiver(): Archiver {
    return this.#container.get(Archiver);
  }

  /** The archiver's options from `[sink]` (batching, retry, and the extractors that index users and packages). */
  archiverOptions(): ArchiverOptions {
    return this.#container.get(ARCHIVER_OPTIONS);
  }

  /** The ZeroMQ relay on the configured endpoints (not yet started). */
  relay(): ZeroMqRelay {
    return this.#container.get(ZeroMqRelay);
  }

  consumerHub(): ConsumerHub {
    return this.#container.get(ConsumerHub);
  }

  /** The consumer's health endpoints, reporting on {@link consumerHub}. */
  healthServer(): HealthServer {
    return this.#container.get(HealthServer);
  }

  /**
   * The metrics catalog: the built-in plugins and the ones `[metrics] plugins` names, loaded once.
   *
   * @throws {CliError} naming the plugin that cannot be loaded or is badly defined.
   */
  metricsCatalog(): Promise<MetricsCatalog> {
    this.#catalog ??= this.#loadCatalog();
    return this.#catalog;
  }

  /** The query server, its metrics plugins loaded first. */
  async queryServer(): Promise<QueryServer> {
    await this.metricsCatalog();
    return this.#container.get(QueryServer);
  }

  /** The metrics engine over the store, its plugins loaded first. */
  async metricsEngine(): Promise<MetricsEngine> {
    await this.metricsCatalog();
    return this.#container.get(MetricsEngine);
  }

  /** The metrics reader over the store, its plugins loaded first. */
  async metricsReader(): Promise<MetricsReader> {
    await this.metricsCatalog();
    return this.#container.get(MetricsReader);
  }

  /** Makes `recorder` the one the archiver reports bus events to; the first one given stays. */
  recordBusEvents(recorder: BusEventRecorder): void {
    if (!this.#container.isBound(BUS_EVENT_RECORDER)) this.#container.bind(BUS_EVENT_RECORDER).toConstantValue(recorder);
  }

  async #loadCatalog(): Promise<MetricsCatalog> {
    if (!this.#container.isBound(METRICS_USER_PLUGINS)) {
      try {
        this.#container.bind(METRICS_USER_PLUGINS).toConstantValue(await loadPlugins(this.#config.metrics.plugins, this.#cwd));
      } catch (error) {
        throw new CliError((error as Error).message, { cause: error });
      }
    }
    try {
      return this.#container.get(MetricsCatalog);
    } catch (error) {
      throw new CliError(`[metrics]: ${(error as Error).message}`, { cause: error });
    }
  }
}
