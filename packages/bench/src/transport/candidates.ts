import type { CandidateInfo } from './candidate.js';

/** The in-memory transport is in the workspace's test kit, which is not published. */
function memoryUnavailable(): string | undefined {
  try {
    import.meta.resolve('@statbus/testing');
    return undefined;
  } catch {
    return 'the in-memory transport ships in @statbus/testing, which only a statbus checkout has (npm ci there)';
  }
}

const RAW_ZEROMQ: CandidateInfo = { id: 'raw-zeromq', name: 'raw zeromq.js PUB/SUB', broker: false, sharedQueues: false, layout: 'processes' };
const RAW_AMQP: CandidateInfo = { id: 'raw-amqp', name: 'raw amqplib (confirms, persistent, manual ack)', broker: true, sharedQueues: true, layout: 'processes' };
const STATBUS_ZEROMQ: CandidateInfo = { id: 'statbus-zeromq', name: 'statbus ZeroMQ', baseline: 'raw-zeromq', broker: false, sharedQueues: false, layout: 'processes' };
const STATBUS_AMQP: CandidateInfo = { id: 'statbus-amqp', name: 'statbus AMQP', baseline: 'raw-amqp', broker: true, sharedQueues: true, layout: 'processes' };
const STATBUS_MEMORY: CandidateInfo = { id: 'statbus-memory', name: 'statbus in-memory', broker: false, sharedQueues: true, layout: 'single', unavailable: memoryUnavailable };

/** The statbus transports: the candidates of the pipeline mode. */
export const STATBUS_CANDIDATES: readonly CandidateInfo[] = [STATBUS_ZEROMQ, STATBUS_AMQP, STATBUS_MEMORY];

/** Every candidate of the transport mode, each statbus transport right after the raw library it wraps. */
export const TRANSPORT_CANDIDATES: readonly CandidateInfo[] = [RAW_ZEROMQ, STATBUS_ZEROMQ, RAW_AMQP, STATBUS_AMQP, STATBUS_MEMORY];

const ARCHIVE_SUFFIX = '+archive';

/** The pipeline candidate over a statbus transport: its producer, and the archiver writing to the store as consumer. */
export function archiveOf(candidate: CandidateInfo): CandidateInfo {
  return { ...candidate, id: `${candidate.id}${ARCHIVE_SUFFIX}`, name: `${candidate.name} → archiver → store` };
}

/** The candidate with this id: a transport candidate, or `<statbus id>+archive` for the pipeline. */
export function candidateInfo(id: string): CandidateInfo {
  const base = STATBUS_CANDIDATES.find((candidate) => `${candidate.id}${ARCHIVE_SUFFIX}` === id);
  const found = base === undefined ? TRANSPORT_CANDIDATES.find((candidate) => candidate.id === id) : archiveOf(base);
  if (found === undefined) throw new Error(`unknown candidate ${JSON.stringify(id)}`);
  return found;
}
