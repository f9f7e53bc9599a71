import { EnvelopeError } from '@statbus/core';
import { describe, expect, it } from 'vitest';
import { buildHeaders } from './build-headers.js';

describe(buildHeaders, () => {
  it('should join lists, de-duplicated and trimmed, and leave empty values out', () => {
    expect(buildHeaders({ usernames: [' alice', 'bob', 'alice'], packages: [], agent: '' }, undefined, undefined)).toEqual({ usernames: 'alice,bob' });
  });

  it('should rank free headers below extracted hints, below options, below the schema name', () => {
    const headers = buildHeaders({ headers: { schema: 'mine', severity: 'error', x: '1' }, severity: 'warning' }, { severity: 'info', agent: 'bot' }, 'real');
    expect(headers).toEqual({ schema: 'real', severity: 'warning', agent: 'bot', x: '1' });
  });

  it.each([
    [{ usernames: ['a,b'] }],
    [{ usernames: [1 as unknown as string] }],
    [{ packages: 'kernel' as unknown as string[] }],
    [{ agent: 7 as unknown as string }],
    [{ severity: 'fatal' as 'error' }],
  ])('should refuse bad values with an EnvelopeError (%o)', (options) => {
    expect(() => buildHeaders(options, undefined, undefined)).toThrow(EnvelopeError);
  });
});
