import Database from 'better-sqlite3';
import { waitFor } from '@statbus/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCli } from '../support/cli-process.js';
import { brokerUp } from '../support/hub-bus.js';
import { nomBus, probe, publishMany, publisher, startNom, waitStored, type NomBus, type RunningNom } from './support/nom-bus.js';

const haveBroker = await brokerUp();

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

describe.skipIf(!haveBroker)('fault: store outage under statbus nom (needs RabbitMQ)', () => {
  let bus: NomBus;
  let nom: RunningNom | undefined;

  beforeEach(() => {
    bus = nomBus();
  });
  afterEach(async () => {
    await nom?.cli.stop('SIGKILL');
    nom = undefined;
    await bus.cleanup();
  });

  describe('when another connection holds the SQLite file locked (BEGIN EXCLUSIVE)', () => {
    it('should say not ready within seconds, answer promptly, stop acking, then resume and lose nothing', { timeout: 60_000 }, async () => {
      nom = await startNom(bus.env(undefined, { STATBUS_SINK__BATCH_SIZE: '20', STATBUS_SINK__MAX_WAIT_MS: '20' }), bus.dir);
      const running = nom;
      const pub = await publisher(bus.config());
      try {
        const first = await publishMany(pub, 100);
        await waitStored(bus, first.length);
        expect((await probe(running.ready)).status).toBe(200);

        const lock = new Database(bus.archive);
        lock.exec('BEGIN EXCLUSIVE');
        try {
          const lockedAt = Date.now();
          const second = await publishMany(pub, 300, 100);
          expect(second).toHaveLength(300);
          const answers: { ms: number; status: number }[] = [];
          const sample = async (): Promise<Awaited<ReturnType<typeof probe>>> => {
            const answer = await probe(running.ready);
            answers.push({ ms: answer.ms, status: answer.status });
            return answer;
          };
          const notReady = await waitFor(async () => ((await sample()).status === 503 ? (await sample()).body : undefined), {
            timeoutMs: 10_000,
            intervalMs: 20,
            message: '/ready saying 503 while the archive is locked',
          });
          const flippedAfterMs = Date.now() - lockedAt;
          expect(['stalled', 'failing']).toContain(notReady['store']);
          for (let index = 0; index < 20; index += 1) expect((await sample()).status).toBe(503);
          expect(median(answers.map((answer) => answer.ms))).toBeLessThan(100);
          expect(Math.max(...answers.map((answer) => answer.ms))).toBeLessThan(1_000);
          expect(flippedAfterMs).toBeLessThan(10_000);
          // Holds nothing unbounded: what it did not take (prefetch: twice the batch) waits in the broker's queue.
          expect(await bus.queued()).toBeGreaterThanOrEqual(300 - 2 * 20 - 20);
          expect(bus.stored().rows).toBe(first.length);
          console.info(`fault store-lock: 503 after ${flippedAfterMs} ms; /ready median ${median(answers.map((a) => a.ms)).toFixed(1)} ms, max ${Math.max(...answers.map((a) => a.ms)).toFixed(1)} ms over ${answers.length} answers`);
        } finally {
          lock.exec('COMMIT');
          lock.close();
        }
        await waitStored(bus, 400);
        await waitFor(async () => (await probe(running.ready)).status === 200, { timeoutMs: 15_000, message: '/ready back to 200' });
        expect(bus.stored()).toEqual({ rows: 400, ids: 400 });
      } finally {
        await pub.transport.close();
      }
    });
  });

  describe('when statbus serve --archive runs over the locked file', () => {
    it('should answer /ready from the archiver: 503 during the lock, promptly, 200 after, nothing lost', { timeout: 60_000 }, async () => {
      const serve = startCli(['serve', '--archive', '--port', '0', '--log-level', 'warn'], bus.env(undefined, { STATBUS_SINK__BATCH_SIZE: '20', STATBUS_SINK__MAX_WAIT_MS: '20' }), undefined, { cwd: bus.dir });
      const pub = await publisher(bus.config());
      try {
        const url = await waitFor(() => /statbus serve: (http:\/\/\S+)/u.exec(serve.stderr())?.[1], { timeoutMs: 20_000, message: 'the URL on stderr' });
        await waitFor(async () => (await probe(`${url}/ready`)).status === 200, { message: '/ready 200' });
        const lock = new Database(bus.archive);
        lock.exec('BEGIN EXCLUSIVE');
        try {
          await publishMany(pub, 100);
          const answer = await waitFor(async () => {
            const got = await probe(`${url}/ready`);
            return got.status === 503 ? got : undefined;
          }, { timeoutMs: 10_000, intervalMs: 20, message: '/ready 503 while locked' });
          expect(answer.body).toMatchObject({ status: 'unavailable', ready: false });
          expect(answer.ms).toBeLessThan(1_000);
        } finally {
          lock.exec('COMMIT');
          lock.close();
        }
        await waitStored(bus, 100);
        await waitFor(async () => (await probe(`${url}/ready`)).status === 200, { timeoutMs: 15_000, message: '/ready back to 200' });
        expect(bus.stored()).toEqual({ rows: 100, ids: 100 });
      } finally {
        await pub.transport.close();
        await serve.stop('SIGKILL');
      }
    });
  });
});
