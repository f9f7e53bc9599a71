import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';

/**
 * The lines of a UTF-8 text stream, as `readline` with `crlfDelay: Infinity` gives them (a line ends at `\n`,
 * `\r\n` or a lone `\r`, and a last line without its end is still a line), the lines each chunk completes yielded
 * together. Cheaper than `readline` for long lines: each line's end is found with `indexOf` instead of a regular
 * expression, and a line is a slice of its decoded chunk.
 */
export async function* readLines(input: Readable): AsyncGenerator<string[]> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  // The previous chunk ended with `\r`: a `\n` opening this one is the rest of that line's end.
  let afterCr = false;
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    let text = rest + (typeof chunk === 'string' ? chunk : decoder.write(chunk));
    if (afterCr && text.startsWith('\n')) text = text.slice(1);
    afterCr = false;
    const lines: string[] = [];
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      const line = text.slice(start, end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end);
      if (line.includes('\r')) lines.push(...line.split('\r'));
      else lines.push(line);
      start = end + 1;
    }
    rest = text.slice(start);
    if (rest.endsWith('\r')) {
      lines.push(...rest.slice(0, -1).split('\r'));
      rest = '';
      afterCr = true;
    }
    if (lines.length > 0) yield lines;
  }
  rest += decoder.end();
  if (rest !== '') yield rest.split('\r');
}
