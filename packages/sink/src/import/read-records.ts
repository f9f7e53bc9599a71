import type { Readable } from 'node:stream';
import { MAX_BODY_DEPTH, jsonTextDepthExceeds } from '@statbus/core';
import { readLines } from './read-lines.js';

/** Deepest nesting of one NDJSON record: a body (at most {@link MAX_BODY_DEPTH}) inside a record's own few levels. */
const MAX_RECORD_DEPTH = MAX_BODY_DEPTH + 4;

/** One record of an input, with where it was (line of NDJSON, or index in a JSON array). */
export type InputRecord = { readonly where: string; readonly value: unknown } | { readonly where: string; readonly error: string };

function recordsOfDocument(document: unknown): unknown[] {
  if (Array.isArray(document)) return document;
  // A saved datagrepper response: { raw_messages: [...] }.
  if (typeof document === 'object' && document !== null && Array.isArray((document as { raw_messages?: unknown }).raw_messages)) {
    return (document as { raw_messages: unknown[] }).raw_messages;
  }
  return [document];
}

/**
 * Reads records from NDJSON (one JSON value per line, streamed) or from one JSON document: an array, a
 * datagrepper response with `raw_messages`, or a single record (read whole). Blank lines are skipped; a
 * line that is not JSON is yielded as an error with its line number, and reading goes on.
 */
export async function* readRecords(input: Readable): AsyncGenerator<InputRecord> {
  let number = 0;
  let document: string[] | undefined;
  for await (const lines of readLines(input)) for (const line of lines) {
    number += 1;
    if (document !== undefined) {
      document.push(line);
      continue;
    }
    const text = line.trim();
    if (text === '') continue;
    if (text.startsWith('[') && number === 1) {
      document = [line];
      continue;
    }
    // Refused before parsing, as the codec refuses envelopes: a record holds its body at most a few levels down.
    if (jsonTextDepthExceeds(text, MAX_RECORD_DEPTH)) {
      yield { where: `line ${number}`, error: `nested deeper than ${MAX_RECORD_DEPTH} levels` };
      continue;
    }
    try {
      yield { where: `line ${number}`, value: JSON.parse(text) as unknown };
    } catch (error) {
      if (number === 1 && text.startsWith('{')) {
        document = [line];
        continue;
      }
      yield { where: `line ${number}`, error: `not valid JSON (${(error as Error).message})` };
    }
  }
  if (document === undefined) return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(document.join('\n'));
  } catch (error) {
    yield { where: 'document', error: `not valid JSON nor NDJSON (${(error as Error).message})` };
    return;
  }
  const records = recordsOfDocument(parsed);
  for (let index = 0; index < records.length; index += 1) yield { where: `record ${index + 1}`, value: records[index] };
}
