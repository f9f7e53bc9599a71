/** Name of the SQL function `index_text(body)`: the text the `contains` index takes in for a stored body. */
export const INDEX_TEXT_FUNCTION = 'index_text';

/** A run of one character longer than this has no trigram a run of this length lacks. */
const KEPT_RUN = 3;

/**
 * The lower-cased body with every run of one character (by code point) cut to three: exactly the same set of
 * trigrams as the lower-cased body, which is all the trigram index keeps (`detail = none`), in fewer tokens. FTS5
 * spends ~15 ns per token, so a body padded with a long run (indentation, separators, a padding field) is indexed
 * for the cost of its other characters. A body without a run of four is returned as `toLowerCase()` made it.
 */
export function indexText(body: string): string {
  const text = body.toLowerCase();
  // Any run of four or more covers two neighbours at some position i ≡ 0 (mod 3): look only there.
  for (let i = 0; i + 1 < text.length; i += KEPT_RUN) {
    const unit = text.charCodeAt(i);
    if (unit === text.charCodeAt(i + 1) && runLength(text, i, unit) > KEPT_RUN) return cutRuns(text);
  }
  return text;
}

/** The length of the run of `unit` (a code unit) through `at`. */
function runLength(text: string, at: number, unit: number): number {
  let first = at;
  while (first > 0 && text.charCodeAt(first - 1) === unit) first -= 1;
  let next = at + 1;
  while (next < text.length && text.charCodeAt(next) === unit) next += 1;
  return next - first;
}

function cutRuns(text: string): string {
  let kept = '';
  let from = 0;
  for (let i = 0; i < text.length; ) {
    const unit = text.charCodeAt(i);
    let next = i + 1;
    while (next < text.length && text.charCodeAt(next) === unit) next += 1;
    // A run of one surrogate is not a run of one code point: left as it is (uncut is always exact).
    if (next - i > KEPT_RUN && (unit < 0xd800 || unit > 0xdfff)) {
      kept += text.slice(from, i + KEPT_RUN);
      from = next;
    }
    i = next;
  }
  return from === 0 ? text : kept + text.slice(from);
}
