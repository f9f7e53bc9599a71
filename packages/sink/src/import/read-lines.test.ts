import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readLines } from './read-lines.js';

async function linesOf(pieces: readonly (Buffer | string)[]): Promise<string[]> {
  const lines: string[] = [];
  for await (const chunk of readLines(Readable.from(pieces, { objectMode: true }))) lines.push(...chunk);
  return lines;
}

async function readlineLines(text: string): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of createInterface({ input: Readable.from([Buffer.from(text)]), crlfDelay: Number.POSITIVE_INFINITY })) lines.push(line);
  return lines;
}

const SAMPLES = ['a\nb\n', 'a\r\nb', 'a\rb\r\nc\r', '\r\r\n\n', 'x\r', 'é日本\nü\r\n', '', '\n', 'abc', '{"a":1}\n\n{"b":2}\r\n'];

describe('readLines', () => {
  describe('when the text comes a byte at a time', () => {
    it('should give the lines readline gives, a character cut anywhere, a \\r\\n split between chunks', async () => {
      for (const text of SAMPLES) {
        const bytes = Buffer.from(text);
        const pieces = [...bytes].map((_, i) => bytes.subarray(i, i + 1));
        expect(await linesOf(pieces), JSON.stringify(text)).toEqual(await readlineLines(text));
      }
    });
  });

  describe('when the stream gives strings', () => {
    it('should give the same lines, cut anywhere', async () => {
      for (const text of SAMPLES) {
        for (let cut = 0; cut <= text.length; cut += 1) {
          expect(await linesOf([text.slice(0, cut), text.slice(cut)].filter((piece) => piece !== '')), JSON.stringify(text)).toEqual(await readlineLines(text));
        }
      }
    });
  });
});
