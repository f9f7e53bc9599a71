import { ContainerModule, type ServiceIdentifier } from 'inversify';
import { CONFIG, LOGGER, MESSAGE_STORE, StoreError, hasRollups, type MessageStore, type RollupMessageStore } from '@statbus/core';
import { BUILT_IN_PLUGINS } from './built-in-plugins.js';
import { MetricsCatalog } from './metrics-catalog.js';
import { MetricsEngine } from './metrics-engine.js';
import type { MetricsPlugin } from './metrics-plugin.js';
import { MetricsReader } from './metrics-reader.js';

/** The plugins loaded from `[metrics] plugins` (bound by the composition root, which loads them: loading is async). */
export const METRICS_USER_PLUGINS: ServiceIdentifier<readonly MetricsPlugin[]> = Symbol.for('@statbus/metrics/UserPlugins');

function rollupStore(store: MessageStore): RollupMessageStore {
  if (!hasRollups(store)) throw new StoreError('this store keeps no metrics rollups', { retryable: false });
  return store;
}

/**
 * Binds {@link MetricsCatalog} (the built-in plugins but `[metrics] disabled`, then METRICS_USER_PLUGINS when bound),
 * {@link MetricsReader} and {@link MetricsEngine}, all singletons. Needs CONFIG, MESSAGE_STORE and LOGGER. The
 * composition root binds BUS_EVENT_RECORDER to the engine when it runs one (`[metrics] enabled`).
 */
export const metricsModule = new ContainerModule((options) => {
  options
    .bind(MetricsCatalog)
    .toDynamicValue((context) => {
      const { metrics } = context.get(CONFIG);
      const user: readonly MetricsPlugin[] = context.get(METRICS_USER_PLUGINS, { optional: true }) ?? [];
      const builtIn = BUILT_IN_PLUGINS.filter((plugin) => !metrics.disabled.includes(plugin.name));
      return new MetricsCatalog([...builtIn, ...user], { intervals: metrics.intervals, retention: metrics.retention });
    })
    .inSingletonScope();
  options
    .bind(MetricsReader)
    .toDynamicValue((context) => new MetricsReader(rollupStore(context.get(MESSAGE_STORE)), context.get(MetricsCatalog)))
    .inSingletonScope();
  options
    .bind(MetricsEngine)
    .toDynamicValue((context) => {
      const { metrics } = context.get(CONFIG);
      return new MetricsEngine(rollupStore(context.get(MESSAGE_STORE)), context.get(MetricsCatalog), context.get(LOGGER), {
        pollIntervalMs: metrics.poll_interval_ms,
        batchSize: metrics.batch_size,
        pruneIntervalMs: metrics.prune_interval_ms,
      });
    })
    .inSingletonScope();
});
