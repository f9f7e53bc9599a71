import { waitFor } from '@statbus/testing';
import { describe, expect, it } from 'vitest';
import { AMQP_URL, HANDLERS, hubTransports, logLines, publishBodies, readRecords, startHub, useHubTransport, waitForCounters, type Recorded } from './support/hub-bus.js';

const { transports, haveBroker } = await hubTransports();

const BURST = 40;
const CONCURRENCY = 4;
const HANDLER_MS = 150;

/** The `n` of every record with `event`, by the process `pid` (all when undefined). */
function numbers(records: readonly Recorded[], event: Recorded['event'], pid?: number): number[] {
  return records.filter((line) => line.event === event && (pid === undefined || line.pid === pid)).map((line) => line.n);
}

describe.each(transports)('statbus hub stopped by SIGTERM during a burst over $name', (transport) => {
  const { running, setup } = useHubTransport(transport);

  it('should finish and ack the messages in flight, ack none it did not process, and (AMQP) leave the rest to the next hub', async () => {
    const { bus, record } = await setup();
    const env = { ...bus.env, STATBUS_CONSUMER__CONCURRENCY: String(CONCURRENCY) };
    const args = ['--consumer', `${HANDLERS}:behave`, '--topic', 'bodhi.#'];
    const first = await startHub(args, env, record, running);

    const bodies = Array.from({ length: BURST }, (_, index) => ({ n: index + 1, action: 'slow', ms: HANDLER_MS }));
    const publish = publishBodies(env, bodies);
    expect(await publish.exited).toBe(0);
    await waitForCounters(first.port, (c) => c.processed >= 2 * CONCURRENCY, `${2 * CONCURRENCY} processed`);
    expect(await first.process.stop('SIGTERM')).toBe(0);

    const pid = first.process.child.pid;
    const afterFirst = readRecords(record);
    const started = numbers(afterFirst, 'start', pid);
    const processed = numbers(afterFirst, 'processed', pid);
    // Mid-burst: the hub had not got through the burst when it was told to stop.
    expect(processed.length).toBeLessThan(BURST);
    // Every handler that had started finished before the hub exited: nothing was cut off half-way.
    expect([...processed].sort((a, b) => a - b)).toEqual([...started].sort((a, b) => a - b));
    expect(new Set(processed).size).toBe(processed.length);
    const stopped = logLines(first.process.stderr()).find((line) => line['msg'] === 'consumer stopped');
    expect(stopped).toMatchObject({ reason: 'SIGTERM', exitCode: 0 });

    if (transport.kind !== 'amqp') return;
    // Over AMQP the queue kept everything not acked: a new hub on the same queue processes the rest.
    const second = await startHub(args, env, record, running);
    await waitFor(() => new Set(numbers(readRecords(record), 'processed')).size === BURST, {
      timeoutMs: 20_000,
      message: `every one of the ${BURST} messages processed`,
    });
    const all = numbers(readRecords(record), 'processed');
    const again = numbers(readRecords(record), 'processed', second.process.child.pid);
    expect(again.length).toBeGreaterThan(0);
    // At least once: processed twice only what the first hub had in flight (at most its concurrency) — here, none.
    const twice = all.filter((n, index) => all.indexOf(n) !== index);
    expect(twice.length).toBeLessThanOrEqual(CONCURRENCY);
    expect(twice.every((n) => processed.includes(n))).toBe(true);
    expect(twice).toEqual([]);
    expect(await bus.queued()).toBe(0);
    expect(await bus.deadLettered()).toEqual([]);
  });
});

if (!haveBroker) {
  describe.skip(`statbus hub stopped by SIGTERM during a burst over amqp — skipped: no RabbitMQ at ${AMQP_URL}`, () => {
    it('needs RabbitMQ on 127.0.0.1:5672 (.ci/run starts it)', () => undefined);
  });
}
