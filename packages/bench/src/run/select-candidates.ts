import type { CandidateInfo } from '../transport/candidate.js';

/** The candidates whose id or name contains one of `only` (case-insensitive); all of them when `only` is empty. */
export function selectCandidates<T extends CandidateInfo>(candidates: readonly T[], only: readonly string[]): T[] {
  if (only.length === 0) return [...candidates];
  const wanted = only.map((text) => text.toLowerCase());
  return candidates.filter((candidate) => wanted.some((text) => candidate.id.toLowerCase().includes(text) || candidate.name.toLowerCase().includes(text)));
}
