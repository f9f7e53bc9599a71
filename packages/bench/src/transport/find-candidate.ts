import { archivingCandidate } from './archiving-candidate.js';
import type { Candidate } from './candidate.js';
import { STATBUS_CANDIDATES, TRANSPORT_CANDIDATES } from './candidates.js';

const ARCHIVE_SUFFIX = '+archive';

/** The candidate with this id: a transport candidate, or `<statbus id>+archive` for the pipeline. */
export function findCandidate(id: string): Candidate {
  if (id.endsWith(ARCHIVE_SUFFIX)) {
    const base = STATBUS_CANDIDATES.find((candidate) => candidate.id === id.slice(0, -ARCHIVE_SUFFIX.length));
    if (base !== undefined) return archivingCandidate(base);
  }
  const found = TRANSPORT_CANDIDATES.find((candidate) => candidate.id === id);
  if (found === undefined) throw new Error(`unknown candidate ${JSON.stringify(id)}`);
  return found;
}
