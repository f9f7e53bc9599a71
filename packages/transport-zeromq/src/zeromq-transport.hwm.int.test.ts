import { randomUUID } from 'node:crypto';
import { configSchema, silentLogger } from '@statbus/core';
import { envelopeFactory, waitFor } from '@statbus/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { Subscriber } from 'zeromq';
import { isBatchFrame, splitBatchFrame } from './batch-frames.js';
import { ZeroMqTransport } from './zeromq-transport.js';

const PREFIX = 'org.statbus.dev';
const DATA = `${PREFIX}.bodhi.update.comment`;
const MARKER = `${PREFIX}.marker.sent`;
const SEND_HWM = 640;
const BATCH_BYTES = 16 * 1024;

/** The statbus messages one received ZeroMQ message carries: topic and size. */
function messagesOf(frame: Buffer): { topic: string; bytes: number }[] {
  const frames = isBatchFrame(frame) ? splitBatchFrame(frame) : [frame];
  if (!Array.isArray(frames)) throw frames;
  return frames.map((one) => ({ topic: one.toString('latin1', 0, one.indexOf(0x20)), bytes: one.length }));
}
const topicsOf = (frame: Buffer): string[] => messagesOf(frame).map((message) => message.topic);

describe(`${ZeroMqTransport.name} high-water marks with batching`, () => {
  const closing: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const close of closing.splice(0)) await close();
  });

  describe('when a subscriber stops reading while a publisher bursts', () => {
    // inproc: no kernel socket buffers between the two, so what the subscriber gets afterwards is exactly what
    // ZeroMQ's queues held.
    it('should queue about send_hwm KiB for it, not send_hwm batches', { timeout: 30_000 }, async () => {
      const address = `inproc://statbus-hwm-${randomUUID()}`;
      const publisher = new ZeroMqTransport(
        configSchema.parse({ zeromq: { bind: [address], use_relay: false, stream_heartbeat_ms: 0, send_hwm: SEND_HWM, batch_max_bytes: BATCH_BYTES } }),
        silentLogger,
      );
      closing.push(() => publisher.close());
      await publisher.connect();
      const socket = new Subscriber({ linger: 0, receiveHighWaterMark: 1 });
      closing.push(() => socket.close());
      socket.connect(address);
      socket.subscribe(PREFIX);
      const make = envelopeFactory();
      // Join (the first messages may be lost to the slow joiner), then read up to one last probe, so that
      // nothing is left queued and no read is pending when the subscriber stops reading.
      let arrived = false;
      void socket.receive().then(() => {
        arrived = true;
      });
      await waitFor(async () => {
        await publisher.publish(make(MARKER));
        return arrived;
      }, { message: 'the subscriber joined' });
      const last = `${PREFIX}.joined.last`;
      await publisher.publish(make(last));
      for (let seen = false; !seen; ) {
        const [frame] = await socket.receive();
        seen = frame !== undefined && topicsOf(frame).includes(last);
      }

      // The subscriber reads nothing now: bursts of messages published in one turn travel as batches.
      const published = 20_000;
      for (let sent = 0; sent < published; sent += 1000) {
        await Promise.all(Array.from({ length: 1000 }, () => publisher.publish(make(DATA, { pad: 'x'.repeat(200) }))));
      }

      let queued = 0;
      let queuedBytes = 0;
      let markerSeen = false;
      const reading = (async () => {
        for await (const [frame] of socket) {
          if (frame === undefined) continue;
          for (const { topic, bytes } of messagesOf(frame)) {
            if (topic !== DATA) {
              markerSeen = true;
            } else {
              queued += 1;
              queuedBytes += bytes;
            }
          }
          if (markerSeen) return;
        }
      })();
      // A marker gets through once the queue drained: everything queued before it has been read by then.
      await waitFor(async () => {
        await publisher.publish(make(MARKER));
        return markerSeen;
      }, { message: 'a marker behind the queued messages' });
      await reading;

      // ZeroMQ's queue holds 640 KiB / 16 KiB = 40 batches, the subscriber's own one more, and zeromq.js one it
      // had read ahead: about send_hwm KiB. Without the derived mark it held all 20,000 (640 batches of 16 KiB).
      expect(queued).toBeGreaterThan(0);
      expect(queued).toBeLessThan(published / 2);
      expect(queuedBytes).toBeLessThanOrEqual((SEND_HWM / 16 + 2) * BATCH_BYTES);
      console.info(`hwm: ${queued} of ${published} messages (${Math.round(queuedBytes / 1024)} KiB) queued for a subscriber that stopped reading (send_hwm ${SEND_HWM}, batch_max_bytes ${BATCH_BYTES})`);
    });
  });
});
