import { describe, expect, it } from 'vitest';
import { textRewrites } from './mongo-text-migration.js';

describe(textRewrites, () => {
  it('should set the text of a document stored lower-cased to its body\'s JSON as it is', () => {
    const body = { comment: 'Works for ME' };
    expect(textRewrites([{ _id: 'a', body, text: JSON.stringify(body).toLowerCase() }])).toEqual([
      { updateOne: { filter: { _id: 'a' }, update: { $set: { text: '{"comment":"Works for ME"}' } } } },
    ]);
  });
  it('should leave a document already holding its body\'s JSON alone', () => {
    const body = { comment: 'Works for ME' };
    expect(textRewrites([{ _id: 'b', body, text: JSON.stringify(body) }])).toEqual([]);
  });
});
