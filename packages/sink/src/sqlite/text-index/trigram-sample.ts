import { SQLITE_TUNING_DEFAULTS } from '../sqlite-tuning.js';
import { TRIGRAM } from './trigram-bitmaps.js';

/** The distinct trigrams (three UTF-16 code units, as the text index hashes them) of a lower-cased text. */
export function trigramsOf(text: string): string[] {
  const seen = new Set<string>();
  for (let i = 0; i + TRIGRAM <= text.length; i += 1) seen.add(text.slice(i, i + TRIGRAM));
  return [...seen];
}

/** Where the sample comes from: the number of messages, and up to `count` bodies spread over them, lower-cased. */
export interface TrigramSampleSource {
  readonly messageCount: () => number;
  readonly sampleBodies: (count: number) => readonly string[];
}

/**
 * How common each trigram is, estimated from a few thousand bodies spread over the archive, so that a
 * `contains` query asks the text index for the trigrams of a needle that leave the fewest candidates.
 */
export class TrigramSample {
  private counts = new Map<string, number>();
  private bodies: readonly string[] = [];
  private sampledAt = -1;

  /**
   * @param sampleRows bodies read for the sample.
   * @param resampleGrowth the sample is read again once the archive has grown by this share since.
   */
  constructor(
    private readonly source: TrigramSampleSource,
    private readonly sampleRows = SQLITE_TUNING_DEFAULTS.trigramSampleRows,
    private readonly resampleGrowth = SQLITE_TUNING_DEFAULTS.trigramResampleGrowth,
  ) {}

  /**
   * Up to `max` distinct trigrams of a lower-cased needle to ask the index for, rarest in the sample first. Past
   * the first `atLeast` (each one cuts the false candidates of the bitmaps), a trigram is taken only if it
   * leaves fewer of the sample's bodies than those already taken (trigrams of one word come together: the
   * second of them removes nothing, a trigram across two words may).
   */
  choose(needle: string, max: number, atLeast: number): string[] {
    this.refresh();
    const ranked = trigramsOf(needle)
      .map((trigram, at) => ({ trigram, at, count: this.counts.get(trigram) ?? 0 }))
      .sort((a, b) => a.count - b.count || a.at - b.at)
      .map(({ trigram }) => trigram);
    const chosen: string[] = [];
    let survivors = this.bodies;
    for (const trigram of ranked) {
      if (chosen.length === max) break;
      const next = survivors.filter((body) => body.includes(trigram));
      if (chosen.length >= atLeast && next.length === survivors.length) continue;
      chosen.push(trigram);
      survivors = next;
    }
    return chosen;
  }

  private refresh(): void {
    const count = this.source.messageCount();
    if (this.sampledAt >= 0 && count <= this.sampledAt * (1 + this.resampleGrowth)) return;
    const counts = new Map<string, number>();
    const bodies = this.source.sampleBodies(this.sampleRows);
    for (const body of bodies) for (const trigram of trigramsOf(body)) counts.set(trigram, (counts.get(trigram) ?? 0) + 1);
    this.counts = counts;
    this.bodies = bodies;
    this.sampledAt = count;
  }
}
