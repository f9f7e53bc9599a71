import { CONFIG, LOGGER, type Logger, type StatbusConfig } from '@statbus/core';
import { consumerModule } from '@statbus/consumer';
import { defaultExtractors, loadMetaRulesFile } from '@statbus/meta';
import { ARCHIVER_OPTIONS, sinkModule } from '@statbus/sink';
import { ZeroMqRelay, zeromqTransportModule } from '@statbus/transport-zeromq';
import { amqpTransportModule } from '@statbus/transport-amqp';
import { producerModule } from '@statbus/producer';
import { metricsModule } from '@statbus/metrics';
import { queryModule } from '@statbus/query';
import { Container } from 'inversify';

/**
 * The composition root: the one place a container is built. Binds the validated config and the logger,
 * and loads the `ContainerModule` of each package, the transport's chosen by `config.transport`.
 */
export function createContainer(config: StatbusConfig, logger: Logger): Container {
  const container = new Container({ defaultScope: 'Singleton' });
  container.bind(CONFIG).toConstantValue(config);
  container.bind(LOGGER).toConstantValue(logger);
  switch (config.transport) {
    case 'zeromq':
      container.load(zeromqTransportModule);
      break;
    case 'amqp':
      container.load(amqpTransportModule);
      break;
  }
  container.bind(ZeroMqRelay).toSelf();
  container.load(producerModule, consumerModule, sinkModule, metricsModule, queryModule);
  const sink = config.sink;
  container.bind(ARCHIVER_OPTIONS).toConstantValue({
    batchSize: sink.batch_size,
    maxWaitMs: sink.max_wait_ms,
    queue: sink.queue,
    retryInitialMs: sink.retry_initial_ms,
    retryMaxMs: sink.retry_max_ms,
    ...(sink.prefetch === undefined ? {} : { prefetch: sink.prefetch }),
    extractors: defaultExtractors({ prefix: config.topic_prefix, ...(sink.meta_rules === undefined ? {} : loadMetaRulesFile(sink.meta_rules)) }),
  });
  return container;
}
