import { describe, expect, it } from 'vitest';
import { makeStoreFixture, referenceMatches, storeQueryCases } from '@statbus/testing';
import { compileQueryFilter } from './matches-query.js';

describe(compileQueryFilter, () => {
  const fixture = makeStoreFixture({ count: 600 });
  // Time filters are not the stream's concern: compare the filters alone.
  const cases = storeQueryCases(fixture).map(({ name, query }) => {
    const { start: _s, end: _e, delta: _d, page: _p, rowsPerPage: _r, order: _o, cursor: _c, ...filters } = query;
    return { name, filters };
  });
  describe.each(cases)('when the filters are those of: $name', ({ filters }) => {
    it('should select exactly what the stores\' reference selects', () => {
      const accept = compileQueryFilter(filters);
      expect(fixture.messages.filter(accept)).toEqual(fixture.messages.filter((message) => referenceMatches(message, filters)));
    });
  });
});
