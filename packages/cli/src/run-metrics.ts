import { hasRollups, type BusEvent, type Logger, type MessageStore, type StatbusConfig, type Transport } from '@statbus/core';
import { createPrometheusRegistry, type MetricsEngine } from '@statbus/metrics';
import type { Registry } from 'prom-client';
import type { CliServices } from './composition/cli-services.js';

/** What {@link startMetrics} started; `stop()` stops it (idempotent). */
export interface RunningMetrics {
  readonly engine?: MetricsEngine;
  readonly registry: Registry;
  stop(): Promise<void>;
}

/**
 * With `[metrics] enabled` and a store that keeps rollups: starts the engine (it catches up from the archive, then
 * follows it), makes it the archiver's bus-event recorder, and records the transport's gaps and drops. Always returns a
 * Prometheus registry for `/metrics` (the process metrics at least).
 */
export async function startMetrics(
  context: { services: CliServices; config: StatbusConfig; logger: Logger },
  store: MessageStore,
  transport?: Transport,
): Promise<RunningMetrics> {
  const { services, config, logger } = context;
  if (!config.metrics.enabled || !hasRollups(store)) return { registry: createPrometheusRegistry({ store }), stop: () => Promise.resolve() };
  const catalog = await services.metricsCatalog();
  const engine = await services.metricsEngine();
  services.recordBusEvents(engine);
  await engine.start();
  const following = transport === undefined ? undefined : recordTransportEvents(transport, engine, logger);
  let stopping: Promise<void> | undefined;
  return {
    engine,
    registry: createPrometheusRegistry({ store, catalog }),
    stop: () => {
      stopping ??= (async () => {
        await engine.stop();
        await following?.catch(() => undefined);
      })();
      return stopping;
    },
  };
}

/** Feeds a transport's `gap` and `dropped` statuses to the metrics until the transport closes. */
async function recordTransportEvents(transport: Transport, engine: MetricsEngine, logger: Logger): Promise<void> {
  try {
    for await (const status of transport.status()) {
      let event: BusEvent | undefined;
      if (status.type === 'gap') event = { type: 'gap', time: Date.now(), producer: status.producer, lost: status.missed };
      else if (status.type === 'dropped') event = { type: 'refused', time: Date.now(), reason: status.reason };
      else if (status.type === 'closed') return;
      if (event !== undefined) engine.recordEvents([event]).catch((error: unknown) => logger.warn({ err: error }, 'recording a bus event in the metrics failed'));
    }
  } catch (error) {
    logger.warn({ err: error }, 'stopped reading transport status for the metrics');
  }
}
