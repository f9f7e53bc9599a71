import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createPrometheusRegistry } from '@statbus/metrics';
import type { ConsumerHandler, HandlerFunction } from '@statbus/consumer';
import { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { collect } from '../cli-options.js';
import { commandContext } from '../composition/command-context.js';
import { connectTransport } from '../connect-transport.js';
import { addGlobalOptions, type GlobalOptions } from '../global-options.js';
import { shutdownSignal, type CliIo } from '../io.js';
import { loadSchemas } from '../load-schemas.js';
import { topicPatternsOf } from '../resolve-pattern.js';

interface HubOptions extends GlobalOptions {
  readonly consumer: string[];
  readonly topic: string[];
  readonly group?: string;
}

/** What a `MODULE:EXPORT` names: a handler function (needs --topic) or a consumer object/class with `patterns` and `handle`. */
type Loaded = { readonly kind: 'function'; readonly handler: HandlerFunction } | { readonly kind: 'consumer'; readonly consumer: ConsumerHandler };

async function loadConsumer(spec: string, cwd: string): Promise<Loaded> {
  const colon = spec.lastIndexOf(':');
  if (colon <= 0 || colon === spec.length - 1) throw new CliError(`--consumer ${JSON.stringify(spec)}: expected MODULE:EXPORT, e.g. ./consumers.js:archive`);
  const [module, name] = [spec.slice(0, colon), spec.slice(colon + 1)];
  const url = module.startsWith('.') || isAbsolute(module) ? pathToFileURL(resolve(cwd, module)).href : module;
  let exports: Record<string, unknown>;
  try {
    exports = (await import(url)) as Record<string, unknown>;
  } catch (error) {
    throw new CliError(`--consumer ${spec}: cannot load module ${JSON.stringify(module)}: ${(error as Error).message}`, { cause: error });
  }
  const value = exports[name];
  if (value === undefined) throw new CliError(`--consumer ${spec}: module ${JSON.stringify(module)} has no export ${JSON.stringify(name)} (it has: ${Object.keys(exports).join(', ') || 'nothing'})`);
  const asConsumer = (candidate: unknown): ConsumerHandler | undefined =>
    typeof candidate === 'object' && candidate !== null && Array.isArray((candidate as ConsumerHandler).patterns) && typeof (candidate as ConsumerHandler).handle === 'function'
      ? (candidate as ConsumerHandler)
      : undefined;
  const direct = asConsumer(value);
  if (direct !== undefined) return { kind: 'consumer', consumer: direct };
  if (typeof value === 'function') {
    const prototype = (value as { prototype?: { handle?: unknown } }).prototype;
    if (typeof prototype?.handle === 'function') {
      const instance = asConsumer(new (value as new () => unknown)());
      if (instance !== undefined) return { kind: 'consumer', consumer: instance };
      throw new CliError(`--consumer ${spec}: class ${name} has handle() but its instances have no patterns array`);
    }
    return { kind: 'function', handler: value as HandlerFunction };
  }
  throw new CliError(`--consumer ${spec}: export ${JSON.stringify(name)} is neither a function nor a consumer with patterns and handle()`);
}

/** `statbus hub`: runs consumers from modules (fedmsg-hub, fedora-messaging consume), the same over both transports. */
export function hubCommand(io: CliIo): Command {
  return addGlobalOptions(new Command('hub'))
    .description('run consumers: MODULE:EXPORT is a handler function (give --topic) or a consumer object/class with patterns and handle()')
    .option('--consumer <module:export>', 'the consumer to run; repeatable; default: [consumer] consumers', collect, [])
    .option('--topic <pattern>', 'patterns for function consumers (full, or the part after <prefix>.<env>.: see README); repeatable', collect, [])
    .option('--group <name>', 'consumer group (the shared queue over AMQP); default [consumer] group')
    .action(async (options: HubOptions) => {
      const { config, services } = commandContext(options, io);
      const specs = options.consumer.length > 0 ? options.consumer : config.consumer.consumers;
      if (specs.length === 0) throw new CliError('no consumer to run: give --consumer MODULE:EXPORT or list them in [consumer] consumers');
      const loaded = await Promise.all(specs.map((spec) => loadConsumer(spec, io.cwd)));
      const patterns = options.topic.length > 0 ? options.topic : config.consumer.topics;
      if (loaded.some((item) => item.kind === 'function') && patterns.length === 0) {
        throw new CliError('a function consumer needs --topic PATTERN (or [consumer] topics): which messages it handles');
      }
      const shutdown = shutdownSignal(io);
      const topics = topicPatternsOf(config, patterns);
      const hub = services.consumerHub();
      loadSchemas(config, io.cwd, hub);
      const registration = options.group === undefined ? {} : { group: options.group };
      for (const item of loaded) {
        if (item.kind === 'consumer') hub.register(item.consumer, registration);
        else hub.register(topics, item.handler, registration);
      }
      const transport = services.transport();
      const health = services.healthServer();
      const registry = createPrometheusRegistry();
      health.app.get('/metrics', async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()));
      await connectTransport(transport, config);
      try {
        // Listen first: a busy port must stop the hub before it takes any message.
        if (config.consumer.health_port !== 0) {
          const { health_host: host, health_port: port } = config.consumer;
          await health.listen().catch((error: unknown) => {
            throw new CliError(`[consumer] health_port: cannot listen on ${host}:${port}: ${(error as Error).message}`, { cause: error });
          });
        }
        await hub.start();
        void shutdown.received.then((signal) => hub.stop({ reason: signal }));
        io.stderr.write(`statbus hub: ${loaded.length} consumer(s) over ${config.transport}${topics.length === 0 ? '' : ` for ${topics.join(', ')}`}\n`);
        const result = await hub.finished;
        shutdown.stop();
        if (result.exitCode !== 0) throw new CliError(`hub halted: ${result.reason ?? 'no reason given'}`, { exitCode: result.exitCode });
      } finally {
        await health.close();
        await transport.close();
      }
    });
}
