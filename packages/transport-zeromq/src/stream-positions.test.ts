import { envelopeJson, type Envelope, type JsonObject } from '@statbus/core';
import { describe, expect, it } from 'vitest';
import { LAST_BEAT_TICK, StreamPositions } from './stream-positions.js';
import { decodeHeartbeatFrame, decodeMessageFrame, encodeMessageFrame } from './wire-frames.js';

const beats = (frames: Buffer[]) => frames.map((frame) => decodeHeartbeatFrame(frame));
const LIMIT = { maxMessageBytes: 1 << 20 };
const producer = { name: 'p', host: 'h', pid: 1, instance: 'i' };
const message = (topic: string, seq: number, body: JsonObject = {}): Envelope => ({ id: `id-${seq}`, topic, time: 1, producer, seq, headers: {}, body });

describe(StreamPositions, () => {
  describe('.frame', () => {
    it('should give text whose UTF-8 is the bytes of encodeMessageFrame for the next position, numbering each topic from 1', () => {
      const positions = new StreamPositions('abc');
      const reference = new StreamPositions('abc');
      for (const [topic, seq] of [['a.b', 1], ['a.c', 2], ['a.b', 3], ['a.b', 7], ['é.x', 8]] as const) {
        const envelope = message(topic, seq, { a: 'é' });
        expect(Buffer.from(positions.frame(envelope, LIMIT), 'utf8')).toEqual(encodeMessageFrame(topic, reference.next(topic, seq), envelopeJson(envelope)));
      }
      const envelope = message('a.b', 9, { text: `${'long text '.repeat(10)}✓` });
      const frame = Buffer.from(positions.frame(envelope, LIMIT), 'utf8');
      const decoded = decodeMessageFrame(frame);
      expect(decoded?.position).toEqual({ publisher: 'abc', n: 4, seq: 9, prevSeq: 7 });
      expect(decoded?.topic).toBe('a.b');
      expect(frame.subarray(decoded?.envelopeStart).toString('utf8')).toBe(envelopeJson(envelope));
    });

    describe('when the envelope is over the limit', () => {
      it('should throw ERR_MESSAGE_TOO_LARGE and number the next message as if it had not been given', () => {
        const positions = new StreamPositions('abc');
        const big = message('a.b', 1, { blob: 'x'.repeat(200) });
        expect(() => positions.frame(big, { maxMessageBytes: 100 })).toThrow(expect.objectContaining({ code: 'ERR_MESSAGE_TOO_LARGE' }) as Error);
        expect(positions.beating).toBe(0);
        expect(decodeMessageFrame(Buffer.from(positions.frame(message('a.b', 2), LIMIT)))?.position).toEqual({ publisher: 'abc', n: 1, seq: 2, prevSeq: 0 });
        expect(() => positions.frame({ ...big, seq: 3 }, { maxMessageBytes: 100 })).toThrow(/over the limit/);
        expect(decodeMessageFrame(Buffer.from(positions.frame(message('a.b', 4), LIMIT)))?.position).toEqual({ publisher: 'abc', n: 2, seq: 4, prevSeq: 2 });
      });

      it('should count the UTF-8 bytes of the envelope, not its characters', () => {
        const positions = new StreamPositions('abc');
        const envelope = message('a.b', 1, { text: 'é✓'.repeat(40) });
        const size = Buffer.byteLength(envelopeJson(envelope), 'utf8');
        expect(size).toBeGreaterThan(envelopeJson(envelope).length + 100);
        expect(() => positions.frame(envelope, { maxMessageBytes: size - 1 })).toThrow(expect.objectContaining({ code: 'ERR_MESSAGE_TOO_LARGE' }) as Error);
        expect(() => positions.frame(envelope, { maxMessageBytes: envelopeJson(envelope).length })).toThrow(/over the limit/);
        expect(Buffer.from(positions.frame(envelope, { maxMessageBytes: size }), 'utf8').toString('utf8')).toContain(envelopeJson(envelope));
      });
    });
  });

  describe('.tick', () => {
    describe('when a topic goes quiet', () => {
      it('should beat its last position after 1, 2 and 3 quiet intervals, then after 6, 12 … 384, then stop', () => {
        const positions = new StreamPositions('abc');
        positions.frame(message('a.b', 5), LIMIT);
        positions.frame(message('a.b', 9), LIMIT);
        const beaten: number[] = [];
        for (let tick = 1; tick <= LAST_BEAT_TICK + 50; tick += 1) {
          const frames = beats(positions.tick());
          if (frames.length > 0) {
            expect(frames).toEqual([{ topic: 'a.b', beat: { publisher: 'abc', n: 2, seq: 9 } }]);
            beaten.push(tick);
          }
        }
        expect(beaten).toEqual([1, 2, 3, 6, 12, 24, 48, 96, 192, 384].map((idle) => idle + 1));
        expect(positions.beating).toBe(0);
      });
    });

    describe('when messages keep coming on a topic', () => {
      it('should not beat it, and beat only the quiet ones', () => {
        const positions = new StreamPositions('abc');
        positions.frame(message('a.quiet', 1), LIMIT);
        for (let tick = 1; tick <= 5; tick += 1) {
          positions.frame(message('a.busy', tick + 1), LIMIT);
          const topics = beats(positions.tick()).map((frame) => frame?.topic);
          expect(topics).toEqual(tick >= 2 && tick <= 4 ? ['a.quiet'] : []);
        }
        expect(beats(positions.tick())).toEqual([{ topic: 'a.busy', beat: { publisher: 'abc', n: 5, seq: 6 } }]);
      });
    });
  });

  describe('.finalBeats', () => {
    it('should beat every topic still beaten, whatever the tick', () => {
      const positions = new StreamPositions('abc');
      positions.frame(message('a.b', 1), LIMIT);
      positions.frame(message('a.c', 2), LIMIT);
      positions.frame(message('a.b', 3), LIMIT);
      expect(beats(positions.finalBeats())).toEqual([
        { topic: 'a.b', beat: { publisher: 'abc', n: 2, seq: 3 } },
        { topic: 'a.c', beat: { publisher: 'abc', n: 1, seq: 2 } },
      ]);
      for (let tick = 0; tick <= LAST_BEAT_TICK; tick += 1) positions.tick();
      expect(positions.finalBeats()).toEqual([]);
    });
  });
});
