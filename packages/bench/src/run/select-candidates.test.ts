import { describe, expect, it } from 'vitest';
import { TRANSPORT_CANDIDATES } from '../transport/candidates.js';
import { selectCandidates } from './select-candidates.js';

describe('selectCandidates', () => {
  it('should keep every candidate without a filter, in order', () => {
    expect(selectCandidates(TRANSPORT_CANDIDATES, []).map((candidate) => candidate.id)).toEqual(['raw-zeromq', 'statbus-zeromq', 'raw-amqp', 'statbus-amqp', 'statbus-memory']);
  });

  it('should match ids and names without regard to case', () => {
    expect(selectCandidates(TRANSPORT_CANDIDATES, ['ZeroMQ']).map((candidate) => candidate.id)).toEqual(['raw-zeromq', 'statbus-zeromq']);
    expect(selectCandidates(TRANSPORT_CANDIDATES, ['raw', 'memory']).map((candidate) => candidate.id)).toEqual(['raw-zeromq', 'raw-amqp', 'statbus-memory']);
    expect(selectCandidates(TRANSPORT_CANDIDATES, ['kafka'])).toEqual([]);
  });
});
