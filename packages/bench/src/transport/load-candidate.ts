import type { Candidate } from './candidate.js';
import { candidateInfo } from './candidates.js';

/**
 * Loads the candidate with this id in a worker, importing only the libraries it runs on: a raw
 * candidate's process holds neither statbus nor the other library, so its CPU and memory are its own.
 */
export async function loadCandidate(id: string): Promise<Candidate> {
  const info = candidateInfo(id);
  if (id === 'raw-zeromq') {
    const [{ rawZeroMqCandidate }, { HIGH_WATER_MARK }] = await Promise.all([import('./raw-zeromq.js'), import('./statbus-transports.js')]);
    return rawZeroMqCandidate(info, { highWaterMark: HIGH_WATER_MARK });
  }
  if (id === 'raw-amqp') return (await import('./raw-amqp.js')).rawAmqpCandidate(info);
  const baseId = id.replace(/\+archive$/u, '');
  const [{ statbusCandidate }, { createStatbusTransport }] = await Promise.all([import('./statbus-candidate.js'), import('./statbus-transports.js')]);
  const base = statbusCandidate(candidateInfo(baseId), (role, settings, local) => createStatbusTransport(baseId, role, settings, local));
  if (baseId === id) return base;
  return (await import('./archiving-candidate.js')).archivingCandidate(info, base);
}
