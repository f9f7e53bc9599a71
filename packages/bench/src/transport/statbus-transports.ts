import type { Transport } from '@statbus/core';
import type { ProcessLocal, SideSettings } from './candidate.js';

/** The ZeroMQ high-water mark of every ZeroMQ candidate (statbus' default). */
export const HIGH_WATER_MARK = 10_000;

// Each transport package is imported when a worker needs it, so that a worker holds only its own candidate's code.

async function zeromqTransport(role: 'publisher' | 'subscriber', settings: SideSettings): Promise<Transport> {
  const [{ configSchema, silentLogger }, { ZeroMqTransport }] = await Promise.all([import('@statbus/core'), import('@statbus/transport-zeromq')]);
  const config = configSchema.parse({
    zeromq:
      role === 'publisher'
        ? { bind: [settings.endpoints[settings.index]], use_relay: false, send_hwm: HIGH_WATER_MARK }
        : { endpoints: { bench: [...settings.endpoints] }, use_relay: false, receive_hwm: HIGH_WATER_MARK },
  });
  return new ZeroMqTransport(config, silentLogger);
}

async function amqpTransport(settings: SideSettings): Promise<Transport> {
  const [{ configSchema, silentLogger }, { AmqpTransport }] = await Promise.all([import('@statbus/core'), import('@statbus/transport-amqp')]);
  const config = configSchema.parse({
    transport: 'amqp',
    amqp: {
      url: settings.amqpUrl,
      exchange: settings.exchange,
      confirm_window: settings.window,
      prefetch: settings.prefetch,
      dead_letter_exchange: `${settings.exchange}.dlx`,
      dead_letter_queue: `${settings.exchange}.dead`,
    },
  });
  return new AmqpTransport(config, silentLogger);
}

/** The in-memory transport lives in the workspace's test kit; every side of one process shares its bus. */
async function memoryTransport(local: ProcessLocal): Promise<Transport> {
  const { MemoryBus, MemoryTransport } = await import('@statbus/testing');
  let bus = local.get('memory-bus') as InstanceType<typeof MemoryBus> | undefined;
  if (bus === undefined) {
    bus = new MemoryBus();
    local.set('memory-bus', bus);
  }
  return new MemoryTransport(bus);
}

/** One side's transport of the statbus candidate `id` (`statbus-zeromq`, `statbus-amqp`, `statbus-memory`). */
export function createStatbusTransport(id: string, role: 'publisher' | 'subscriber', settings: SideSettings, local: ProcessLocal): Promise<Transport> {
  switch (id) {
    case 'statbus-zeromq':
      return zeromqTransport(role, settings);
    case 'statbus-amqp':
      return amqpTransport(settings);
    case 'statbus-memory':
      return memoryTransport(local);
    default:
      return Promise.reject(new Error(`no statbus transport for candidate ${JSON.stringify(id)}`));
  }
}
