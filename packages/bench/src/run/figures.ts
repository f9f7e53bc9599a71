import type { LossFigures, ResourceFigures } from '../report/bench-report.js';
import type { Measurement } from './run-measurement.js';

/** CPU per message and peak RSS of a measurement's producer and consumer processes. */
export function resourceFigures(measurement: Measurement): ResourceFigures {
  const of = (role: 'producer' | 'consumer') => measurement.processes.filter((process) => process.role === role || process.role === 'producer+consumer');
  const cpu = (role: 'producer' | 'consumer', messages: number): number => {
    const processes = of(role);
    // A single process does both: its CPU time is counted once, as the consumer's (the producer's is NaN).
    if (role === 'producer' && processes.every((process) => process.role === 'producer+consumer')) return Number.NaN;
    return messages === 0 ? Number.NaN : (processes.reduce((sum, process) => sum + process.cpuMs, 0) * 1000) / messages;
  };
  const consumers = of('consumer');
  const mainThreadMs = consumers.every((process) => process.mainThreadCpuMs !== undefined) ? consumers.reduce((sum, process) => sum + (process.mainThreadCpuMs ?? 0), 0) : undefined;
  const rss = (role: 'producer' | 'consumer'): number => Math.max(0, ...of(role).map((process) => process.maxRssMiB));
  return {
    producerCpuUsPerMessage: cpu('producer', measurement.sent),
    consumerCpuUsPerMessage: cpu('consumer', measurement.received),
    ...(mainThreadMs === undefined || measurement.received === 0 ? {} : { consumerMainThreadCpuUsPerMessage: (mainThreadMs * 1000) / measurement.received }),
    ...(measurement.brokerCpuMs === undefined || measurement.sent === 0 ? {} : { brokerCpuUsPerMessage: (measurement.brokerCpuMs * 1000) / measurement.sent }),
    producerMaxRssMiB: rss('producer'),
    consumerMaxRssMiB: rss('consumer'),
    processes: measurement.processes,
  };
}

/** Sent, expected, received, lost and the gaps the candidate reported. */
export function lossFigures(measurement: Measurement): LossFigures {
  return {
    sent: measurement.sent,
    expected: measurement.expected,
    received: measurement.received,
    lost: measurement.lost,
    ...(measurement.detected === undefined ? {} : { detected: measurement.detected }),
  };
}
