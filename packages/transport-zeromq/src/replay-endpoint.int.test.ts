import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@statbus/testing';
import { describe, expect, it, onTestFinished } from 'vitest';
import { Router } from 'zeromq';
import { REPLAY_ATTEMPTS, REPLAY_TAG, ReplayClient } from './replay-endpoint.js';
import { encodeMessageFrame } from './wire-frames.js';

const TIMEOUT_MS = 300;
const frames = [1, 2, 3].map((n) => encodeMessageFrame('org.statbus.dev.replay.t', { publisher: 'p1', n, seq: n, prevSeq: n - 1 }, `{"n":${n}}`));

/**
 * A replay endpoint the test scripts: `answer(request number, id)` says, for each request received (counted from 1),
 * which request id to answer now, if any.
 */
async function scriptedEndpoint(answer: (request: number, id: string, ids: readonly string[]) => string | undefined): Promise<{ address: string; requests: () => number }> {
  const directory = mkdtempSync(join(tmpdir(), 'statbus-replay-client-'));
  const router = new Router();
  const address = `ipc://${directory}/replay.sock`;
  await router.bind(address);
  let requests = 0;
  const ids: string[] = [];
  const serving = (async () => {
    try {
      for await (const [identity, , id] of router) {
        if (identity === undefined || id === undefined) continue;
        requests += 1;
        ids.push(id.toString('latin1'));
        const reply = answer(requests, id.toString('latin1'), ids);
        if (reply !== undefined) await router.send([identity, REPLAY_TAG, reply, ...frames]);
      }
    } catch {
      // Closed by the test.
    }
  })();
  onTestFinished(async () => {
    router.close();
    await serving;
    rmSync(directory, { recursive: true, force: true });
  });
  return { address, requests: () => requests };
}

function client(address: string): ReplayClient {
  const made = new ReplayClient(address, {}, TIMEOUT_MS);
  onTestFinished(() => made.close());
  return made;
}

describe(ReplayClient, () => {
  describe('.fetch', () => {
    describe('when the endpoint answers a request only after the timeout (a busy process)', () => {
      it('should ask again and take the late answer to the first request', async () => {
        // Nothing is answered when asked; the first request is answered when the second one comes.
        const endpoint = await scriptedEndpoint((request, _id, ids) => (request === 2 ? ids[0] : undefined));
        const found = await client(endpoint.address).fetch('p1', 'org.statbus.dev.replay.t', 1, 3);
        expect(found?.map((frame) => frame.toString())).toEqual(frames.map((frame) => frame.toString()));
        expect(endpoint.requests()).toBe(2);
      });
    });

    describe('when the first request is lost on the way', () => {
      it('should ask again and take the answer to the second', async () => {
        const endpoint = await scriptedEndpoint((request, id) => (request === 1 ? undefined : id));
        const found = await client(endpoint.address).fetch('p1', 'org.statbus.dev.replay.t', 1, 3);
        expect(found).toHaveLength(3);
        expect(endpoint.requests()).toBe(2);
      });
    });

    describe('when the endpoint never answers', () => {
      it(`should give up after ${REPLAY_ATTEMPTS} requests: nothing found there`, async () => {
        const endpoint = await scriptedEndpoint(() => undefined);
        const replay = client(endpoint.address);
        await expect(replay.fetch('p1', 'org.statbus.dev.replay.t', 1, 3)).resolves.toBeUndefined();
        await waitFor(() => endpoint.requests() === REPLAY_ATTEMPTS, { message: 'every request reached the endpoint' });
        expect(endpoint.requests()).toBe(REPLAY_ATTEMPTS);
      });
    });

    describe('when nothing listens at the address', () => {
      it('should find nothing, without queueing requests for an endpoint that is not there', async () => {
        const directory = mkdtempSync(join(tmpdir(), 'statbus-replay-client-'));
        onTestFinished(() => rmSync(directory, { recursive: true, force: true }));
        await expect(client(`ipc://${directory}/nobody.sock`).fetch('p1', 'org.statbus.dev.replay.t', 1, 3)).resolves.toBeUndefined();
      });
    });
  });
});
