import { describe, expect, it } from 'vitest';
import { ArchiverHealth } from './archiver-health.js';

function clock(): { now: () => number; advance: (ms: number) => void } {
  let time = 1_000_000;
  return { now: () => time, advance: (ms) => void (time += ms) };
}

describe(ArchiverHealth, () => {
  describe('.report', () => {
    it('should not be ready before it starts', () => {
      expect(new ArchiverHealth().report()).toMatchObject({ ready: false, problems: ['not started'] });
    });

    describe('when a write takes longer than stallMs', () => {
      it('should say stalled until the write ends, then ready with the time of the write', () => {
        const time = clock();
        const health = new ArchiverHealth({ stallMs: 100, now: time.now });
        health.started();
        health.writeStarted();
        time.advance(50);
        expect(health.report()).toMatchObject({ ready: true, store: 'ok', pendingWriteMs: 50 });
        time.advance(100);
        expect(health.report()).toMatchObject({ ready: false, store: 'stalled', pendingWriteMs: 150 });
        health.writeEnded(true);
        expect(health.report()).toMatchObject({ ready: true, store: 'ok', pendingWriteMs: null, lastWriteAt: new Date(time.now()).toISOString() });
      });
    });

    describe('when writes fail', () => {
      it('should say failing with the error until one commits', () => {
        const health = new ArchiverHealth();
        health.started();
        health.writeStarted();
        health.writeFailed(new Error('SQLITE_FULL: database or disk is full'));
        expect(health.report()).toMatchObject({ ready: false, store: 'failing', lastError: 'SQLITE_FULL: database or disk is full' });
        health.writeEnded(true);
        expect(health.report()).toMatchObject({ ready: true, store: 'ok', lastError: null });
      });
    });

    describe('when the transport reports its connection', () => {
      it('should follow it, and count gaps without losing readiness', () => {
        const health = new ArchiverHealth();
        health.started();
        health.transportStatus({ type: 'disconnected', address: 'amqp://b' });
        expect(health.report()).toMatchObject({ ready: false, transport: 'disconnected' });
        health.transportStatus({ type: 'reconnecting', address: 'amqp://b', attempt: 1, delayMs: 10 });
        health.transportStatus({ type: 'connected', address: 'amqp://b' });
        health.transportStatus({ type: 'gap', producer: 'p', instance: 'i', from: 3, to: 5, missed: 3 });
        expect(health.report()).toMatchObject({ ready: true, transport: 'connected', gaps: { count: 1, missed: 3 } });
        health.transportStatus({ type: 'closed' });
        expect(health.report()).toMatchObject({ ready: false, transport: 'closed' });
      });
    });
  });
});
