import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '@statbus/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli } from './support/cli-process.js';
import { AMQP_URL, HANDLERS, hubTransports, logLines, publishBodies, readRecords, scratchDir, startHub, useHubTransport, waitForCounters, type HubBus } from './support/hub-bus.js';

const { transports, haveBroker } = await hubTransports();

/** Key pairs made once for the file by `statbus keys generate`: bodhi's real one, and a forger's bodhi and mallory. */
const keys = { trusted: '', forger: '' };
const keysScratch = scratchDir();
beforeAll(async () => {
  [keys.trusted, keys.forger] = [join(keysScratch.dir, 'keys'), join(keysScratch.dir, 'forger-keys')];
  const generated = [
    startCli(['keys', 'generate', 'bodhi', '--dir', keys.trusted], {}),
    startCli(['keys', 'generate', 'bodhi', '--dir', keys.forger], {}),
    startCli(['keys', 'generate', 'mallory', '--dir', keys.forger], {}),
  ];
  const codes = await Promise.all(generated.map((command) => command.exited));
  if (codes.some((code) => code !== 0)) throw new Error(`statbus keys generate failed: ${generated.map((command) => command.stderr()).join('\n')}`);
});
afterAll(() => keysScratch.remove());

/** Takes the dead-letter queue's bodies (AMQP) once `count` arrived, sorted by `n`; `undefined` over ZeroMQ. */
async function deadLetters(bus: HubBus, count: number): Promise<Record<string, unknown>[] | undefined> {
  const taken: Record<string, unknown>[] = [];
  const first = await bus.deadLettered();
  if (first === undefined) return undefined;
  taken.push(...first);
  await waitFor(async () => {
    if (taken.length >= count) return true;
    taken.push(...((await bus.deadLettered()) ?? []));
    return taken.length >= count;
  });
  return taken.sort((a, b) => Number(a['n']) - Number(b['n']));
}

describe.each(transports)('statbus hub checks on receipt over $name', (transport) => {
  const { running, setup } = useHubTransport(transport);

  it('should reject and count a forged signature, an unknown producer key, a topic outside the routing policy and an unsigned message', async () => {
    const { bus, dir, record } = await setup();
    const { trusted, forger } = keys;
    const config = join(dir, 'hub.toml');
    writeFileSync(config, `[signing]\nverify = true\nkeys_dir = "${trusted}"\n\n[signing.routing_policy]\nbodhi = ["org.statbus.dev.bodhi.#"]\n`);
    const hub = await startHub(['--config', config, '--consumer', `${HANDLERS}:record`, '--topic', '#'], bus.env, record, running);

    const signer = (name: string, keys: string): Record<string, string> => ({
      ...bus.env,
      STATBUS_PRODUCER__NAME: name,
      STATBUS_SIGNING__ENABLED: 'true',
      STATBUS_SIGNING__KEYS_DIR: keys,
    });
    const publishers = [
      publishBodies(signer('bodhi', trusted), [{ n: 1, what: 'signed by bodhi' }]),
      publishBodies(signer('bodhi', forger), [{ n: 2, what: 'bodhi, another key' }]),
      publishBodies(signer('mallory', forger), [{ n: 3, what: 'no key known for mallory' }]),
      publishBodies(signer('bodhi', trusted), [{ n: 4, what: 'bodhi outside its topics' }], 'copr.build.end'),
      publishBodies({ ...bus.env, STATBUS_PRODUCER__NAME: 'bodhi' }, [{ n: 5, what: 'unsigned' }]),
    ];
    expect(await Promise.all(publishers.map((command) => command.exited))).toEqual([0, 0, 0, 0, 0]);

    const counters = await waitForCounters(hub.port, (c) => c.processed + c.rejected >= 5, 'five messages judged');
    expect(counters).toMatchObject({ received: 5, processed: 1, rejected: 4, failed: 0, retried: 0 });
    expect(readRecords(record).map((line) => line.n)).toEqual([1]);

    const rejections = logLines(hub.process.stderr()).filter((line) => String(line['msg']).startsWith('rejected: '));
    expect(Object.fromEntries(rejections.map((line) => [line['reason'], line['producer']]))).toEqual({
      'bad-signature': 'bodhi',
      'unknown-producer': 'mallory',
      'topic-not-allowed': 'bodhi',
      'missing-signature': 'bodhi',
    });
    expect(rejections.find((line) => line['reason'] === 'topic-not-allowed')?.['msg']).toMatch(/routing policy does not let bodhi publish org\.statbus\.dev\.copr\.build\.end/u);

    const dead = await deadLetters(bus, 4);
    if (dead !== undefined) expect(dead.map((body) => body['n'])).toEqual([2, 3, 4, 5]);
  });

  it('should refuse schema-invalid bodies at publish with the validation errors, and at receipt from a producer without the schema', async () => {
    const { bus, dir, record } = await setup();
    const schema = join(dir, 'bodhi-comment.json');
    writeFileSync(
      schema,
      JSON.stringify({ $id: 'bodhi-comment', type: 'object', required: ['n', 'karma'], properties: { n: { type: 'integer' }, karma: { type: 'integer' } } }),
    );
    const config = join(dir, 'statbus.toml');
    writeFileSync(config, `[schemas]\n"org.statbus.dev.bodhi.update.#" = "${schema}"\n`);
    const hub = await startHub(['--config', config, '--consumer', `${HANDLERS}:record`, '--topic', 'bodhi.#'], bus.env, record, running);

    const publish = startCli(['publish', '--config', config, '--json', '--topic', 'bodhi.update.comment'], bus.env, '{"n": 1, "karma": 1}\n{"n": 2, "karma": "lots"}\n{"n": 3}\n');
    expect(await publish.exited).toBe(1);
    const stderr = publish.stderr();
    expect(stderr).toMatch(/statbus publish: 1 published, 2 refused/u);
    expect(stderr).toMatch(/line 2: Body of org\.statbus\.dev\.bodhi\.update\.comment does not match schema bodhi-comment: \/karma must be integer/u);
    expect(stderr).toMatch(/line 3: Body of org\.statbus\.dev\.bodhi\.update\.comment does not match schema bodhi-comment: \(body\) must have required property 'karma'/u);

    // A producer that knows no schema sends an invalid body anyway: the hub refuses it before the handler.
    const foreign = publishBodies(bus.env, [{ n: 4, karma: 'a lot' }]);
    expect(await foreign.exited).toBe(0);

    const counters = await waitForCounters(hub.port, (c) => c.processed + c.rejected >= 2, 'two messages judged');
    expect(counters).toMatchObject({ received: 2, processed: 1, rejected: 1 });
    expect(readRecords(record).map((line) => line.n)).toEqual([1]);
    const rejections = logLines(hub.process.stderr()).filter((line) => String(line['msg']).startsWith('rejected: '));
    expect(rejections).toHaveLength(1);
    expect(rejections[0]).toMatchObject({ reason: 'schema' });
    expect(rejections[0]?.['msg']).toMatch(/does not match schema bodhi-comment: \/karma must be integer/u);

    const dead = await deadLetters(bus, 1);
    if (dead !== undefined) expect(dead).toEqual([{ n: 4, karma: 'a lot' }]);
  });
});

if (!haveBroker) {
  describe.skip(`statbus hub checks on receipt over amqp — skipped: no RabbitMQ at ${AMQP_URL}`, () => {
    it('needs RabbitMQ on 127.0.0.1:5672 (.ci/run starts it)', () => undefined);
  });
}
