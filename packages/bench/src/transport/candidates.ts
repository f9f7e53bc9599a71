import { configSchema, silentLogger, type Transport } from '@statbus/core';
import { AmqpTransport } from '@statbus/transport-amqp';
import { ZeroMqTransport } from '@statbus/transport-zeromq';
import type { Candidate, ProcessLocal, SideSettings } from './candidate.js';
import { rawAmqpCandidate } from './raw-amqp.js';
import { rawZeroMqCandidate } from './raw-zeromq.js';
import { statbusCandidate, type StatbusCandidate } from './statbus-candidate.js';

/** The ZeroMQ high-water mark of every ZeroMQ candidate (statbus' default). */
const HIGH_WATER_MARK = 10_000;

function zeromqTransport(role: 'publisher' | 'subscriber', settings: SideSettings): Transport {
  const config = configSchema.parse({
    zeromq:
      role === 'publisher'
        ? { bind: [settings.endpoints[settings.index]], use_relay: false, send_hwm: HIGH_WATER_MARK }
        : { endpoints: { bench: [...settings.endpoints] }, use_relay: false, receive_hwm: HIGH_WATER_MARK },
  });
  return new ZeroMqTransport(config, silentLogger);
}

function amqpTransport(settings: SideSettings): Transport {
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

/** The in-memory transport lives in the workspace's test kit: loaded only when this candidate runs. */
async function memoryTransport(local: ProcessLocal): Promise<Transport> {
  const { MemoryBus, MemoryTransport } = await import('@statbus/testing');
  let bus = local.get('memory-bus') as InstanceType<typeof MemoryBus> | undefined;
  if (bus === undefined) {
    bus = new MemoryBus();
    local.set('memory-bus', bus);
  }
  return new MemoryTransport(bus);
}

/** The in-memory transport is in the workspace's test kit, which is not published. */
function memoryUnavailable(): string | undefined {
  try {
    import.meta.resolve('@statbus/testing');
    return undefined;
  } catch {
    return 'the in-memory transport ships in @statbus/testing, which only a statbus checkout has (npm ci there)';
  }
}

/** The statbus transports, by id. */
export const STATBUS_CANDIDATES: readonly StatbusCandidate[] = [
  statbusCandidate({ id: 'statbus-zeromq', name: 'statbus ZeroMQ', baseline: 'raw-zeromq', broker: false, sharedQueues: false, layout: 'processes', create: (role, settings) => Promise.resolve(zeromqTransport(role, settings)) }),
  statbusCandidate({ id: 'statbus-amqp', name: 'statbus AMQP', baseline: 'raw-amqp', broker: true, sharedQueues: true, layout: 'processes', create: (_role, settings) => Promise.resolve(amqpTransport(settings)) }),
  statbusCandidate({ id: 'statbus-memory', name: 'statbus in-memory', broker: false, sharedQueues: true, layout: 'single', create: (_role, _settings, local) => memoryTransport(local), unavailable: memoryUnavailable }),
];

/** Every candidate of the transport mode, each statbus transport right after the raw library it wraps. */
export const TRANSPORT_CANDIDATES: readonly Candidate[] = [
  rawZeroMqCandidate({ highWaterMark: HIGH_WATER_MARK }),
  STATBUS_CANDIDATES[0] as StatbusCandidate,
  rawAmqpCandidate(),
  STATBUS_CANDIDATES[1] as StatbusCandidate,
  STATBUS_CANDIDATES[2] as StatbusCandidate,
];
