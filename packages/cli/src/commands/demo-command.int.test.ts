import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema, silentLogger } from '@statbus/core';
import { collect, waitFor } from '@statbus/testing';
import { ZeroMqRelay, ZeroMqTransport } from '@statbus/transport-zeromq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_EVENTS } from '../demo/demo-catalogue.js';
import { runCli } from '../testing/in-process-cli.js';

describe('statbus demo over a ZeroMQ relay', () => {
  let cwd: string;
  let relay: ZeroMqRelay;
  let env: Record<string, string>;

  beforeAll(async () => {
    cwd = mkdtempSync(join(tmpdir(), 'statbus-demo-'));
    relay = new ZeroMqRelay(configSchema.parse({ zeromq: { relay_inbound: 'tcp://127.0.0.1:*', relay_outbound: 'tcp://127.0.0.1:*' } }), silentLogger);
    await relay.start();
    env = {
      STATBUS_TOPIC_PREFIX: 'org.fedoraproject',
      STATBUS_ENVIRONMENT: 'prod',
      STATBUS_ZEROMQ__RELAY_INBOUND: relay.inboundAddress ?? '',
      STATBUS_ZEROMQ__RELAY_OUTBOUND: relay.outboundAddress ?? '',
    };
  });

  afterAll(async () => {
    await relay.close();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('should publish its whole catalogue, one-word events included, with zero refusals and exit 0', async () => {
    const transport = new ZeroMqTransport(configSchema.parse({ zeromq: { relay_inbound: relay.inboundAddress, relay_outbound: relay.outboundAddress } }), silentLogger);
    await transport.connect();
    try {
      const seen = collect(await transport.subscribe(['org.fedoraproject.prod.#']));
      const { code, stderr } = await runCli(['demo', '--count', '300', '--rate', '100000', '--log-level', 'silent'], { cwd, env });
      expect(code, stderr).toBe(0);
      expect(stderr).toContain('statbus demo: published 300 messages\n');
      expect(stderr).not.toMatch(/refused|not taken/u);
      await waitFor(() => seen.envelopes.some((envelope) => envelope.topic === 'org.fedoraproject.prod.git.receive'), { message: 'a git.receive from the demo' });
      expect(DEMO_EVENTS.some((event) => event.suffix.split('.').length === 2)).toBe(true);
    } finally {
      await transport.close();
    }
  });
});
