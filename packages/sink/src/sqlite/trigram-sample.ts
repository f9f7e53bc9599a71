/** The text index's unit: needles shorter than this (in characters) cannot use it. */
export const TRIGRAM = 3;

/** Bodies read for the sample. */
const SAMPLE_ROWS = 2000;
/** The sample is read again once the archive has grown by this share since. */
const RESAMPLE_GROWTH = 0.25;

/** The distinct trigrams (by code point) of a lower-cased text. */
export function trigramsOf(text: string): string[] {
  const chars = Array.from(text);
  const seen = new Set<string>();
  for (let i = 0; i + TRIGRAM <= chars.length; i += 1) seen.add(chars.slice(i, i + TRIGRAM).join(''));
  return [...seen];
}

/** What {@link TrigramSample.plan} chose for one needle. */
export interface TrigramPlan {
  /** The trigrams to ask the index for (all of them must be in a match). */
  readonly trigrams: readonly string[];
  /** Their doclists' entries, as a share of the archive (the sum of their shares). */
  readonly docListShare: number;
  /** The estimated share of the archive holding all of them: the candidates to check. */
  readonly candidateShare: number;
}

/** Where the sample comes from: the number of messages, and up to `count` bodies spread over them, lower-cased. */
export interface TrigramSampleSource {
  readonly messageCount: () => number;
  readonly sampleBodies: (count: number) => readonly string[];
}

/**
 * How common each trigram is, estimated from a few thousand bodies spread over the archive, so that a
 * `contains` query asks the text index for a needle's rarest trigrams only: reading the doclist of a trigram
 * found in a sixth of the archive costs more than checking the few extra candidates it would have removed.
 */
export class TrigramSample {
  private counts = new Map<string, number>();
  private bodies: readonly string[] = [];
  private sampledAt = -1;

  constructor(private readonly source: TrigramSampleSource) {}


  /**
   * The trigrams of `needle` worth asking the index for, rarest first: each one added must save more candidate
   * checks than reading its doclist costs; the sample itself says how many candidates a set leaves (trigrams of
   * one word come together: their shares do not multiply). With the estimated doclist entries read and
   * candidates left, each as a share of the archive.
   *
   * @param docListEntryCost the cost of one doclist entry relative to one candidate check.
   */
  plan(needle: string, docListEntryCost: number): TrigramPlan {
    this.refresh();
    const ranked = trigramsOf(needle)
      .map((trigram) => ({ trigram, share: this.bodies.length === 0 ? 0 : (this.counts.get(trigram) ?? 0) / this.bodies.length }))
      .sort((a, b) => a.share - b.share);
    const trigrams: string[] = [];
    let survivors = this.bodies;
    let docListShare = 0;
    for (const { trigram, share } of ranked) {
      const next = survivors.filter((body) => body.includes(trigram));
      const saved = this.bodies.length === 0 ? 0 : (survivors.length - next.length) / this.bodies.length;
      if (trigrams.length > 0 && share * docListEntryCost >= saved) continue;
      trigrams.push(trigram);
      docListShare += share;
      survivors = next;
    }
    return { trigrams, docListShare, candidateShare: this.bodies.length === 0 ? 1 : survivors.length / this.bodies.length };
  }

  private refresh(): void {
    const count = this.source.messageCount();
    if (this.sampledAt >= 0 && count <= this.sampledAt * (1 + RESAMPLE_GROWTH)) return;
    const counts = new Map<string, number>();
    const bodies = this.source.sampleBodies(SAMPLE_ROWS);
    for (const body of bodies) for (const trigram of trigramsOf(body)) counts.set(trigram, (counts.get(trigram) ?? 0) + 1);
    this.counts = counts;
    this.bodies = bodies;
    this.sampledAt = count;
  }
}
