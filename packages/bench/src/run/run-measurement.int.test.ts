import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tcpAnswers } from '@statbus/testing';
import { describe, expect, it, onTestFinished } from 'vitest';
import { DEFAULT_BENCH_OPTIONS } from '../bench-options.js';
import { candidateInfo } from '../transport/candidates.js';
import { runMeasurement } from './run-measurement.js';

const base = { size: 1024, producers: 1, consumers: 1, amqpUrl: DEFAULT_BENCH_OPTIONS.amqpUrl, window: 100, prefetch: 100, idleMs: 1_000 };
const rabbitHere = await tcpAnswers(DEFAULT_BENCH_OPTIONS.amqpUrl);

// Workers are forked from the TypeScript sources here (through tsx), as from dist/ in the CLI.
describe(runMeasurement, () => {
  describe('when a raw candidate runs in two processes', () => {
    it('should deliver every message and report the CPU and peak RSS of each process', async () => {
      const measurement = await runMeasurement({ ...base, candidate: candidateInfo('raw-zeromq'), plan: { kind: 'burst', messages: 500 }, sample: false });
      expect(measurement).toMatchObject({ sent: 500, expected: 500, received: 500, lost: 0, samples: [] });
      expect(measurement.perSecond).toBeGreaterThan(0);
      expect(measurement.processes.map((process) => process.role).sort()).toEqual(['consumer', 'producer']);
      expect(new Set(measurement.processes.map((process) => process.pid)).size).toBe(2);
      for (const process of measurement.processes) {
        expect(process.cpuMs).toBeGreaterThan(0);
        expect(process.maxRssMiB).toBeGreaterThan(10);
      }
      expect(measurement.brokerCpuMs, 'no broker in a ZeroMQ measurement').toBeUndefined();
    }, 60_000);
  });

  describe.skipIf(!rabbitHere)(`when the candidate needs RabbitMQ and it runs on this machine (${DEFAULT_BENCH_OPTIONS.amqpUrl.replace(/:[^:@/]*@/u, ':***@')})`, () => {
    it('should report the CPU time the broker used during the measurement', async () => {
      const measurement = await runMeasurement({ ...base, candidate: candidateInfo('raw-amqp'), plan: { kind: 'burst', messages: 2_000 }, sample: false });
      expect(measurement).toMatchObject({ sent: 2_000, received: 2_000, lost: 0 });
      expect(measurement.brokerCpuMs).toBeGreaterThan(0);
    }, 60_000);
  });

  describe('when two consumers of the in-memory transport get every message at a fixed rate', () => {
    it('should sample the latency of every delivery in one process', async () => {
      const measurement = await runMeasurement({ ...base, consumers: 2, candidate: candidateInfo('statbus-memory'), plan: { kind: 'rate', rate: 400, messages: 100 }, sample: true });
      expect(measurement).toMatchObject({ sent: 100, expected: 200, received: 200, lost: 0, detected: { gaps: 0, missed: 0, dropped: 0 } });
      expect(measurement.samples).toHaveLength(200);
      expect(Math.min(...measurement.samples)).toBeGreaterThanOrEqual(0);
      expect(measurement.processes.map((process) => process.role)).toEqual(['producer+consumer']);
      expect(measurement.publishSeconds).toBeGreaterThan(0.2);
    }, 60_000);
  });

  describe('when it is profiled', () => {
    it('should summarise the threads of each process from the profiles they wrote as they exited', async () => {
      const profileDir = mkdtempSync(join(tmpdir(), 'statbus-bench-profile-'));
      onTestFinished(() => rmSync(profileDir, { recursive: true, force: true }));
      const measurement = await runMeasurement({ ...base, candidate: candidateInfo('raw-zeromq'), plan: { kind: 'burst', messages: 500 }, sample: false, profileDir });
      expect(measurement.received).toBe(500);
      const mains = (measurement.profiles ?? []).filter((thread) => thread.thread === 'main thread');
      expect(mains.map((thread) => thread.process).sort()).toEqual(['consumer c0', 'producer p0']);
      for (const thread of mains) {
        expect(thread.busyMs).toBeGreaterThan(0);
        expect(thread.busyMs).toBeLessThanOrEqual(thread.totalMs);
        expect(thread.top.length).toBeGreaterThan(0);
        expect(thread.top.map((entry) => entry.name)).not.toContain('(idle)');
      }
    }, 60_000);
  });

  describe('when the candidate is unknown', () => {
    it('should reject naming it', async () => {
      await expect(runMeasurement({ ...base, candidate: { ...candidateInfo('raw-zeromq'), id: 'raw-kafka' }, plan: { kind: 'burst', messages: 1 }, sample: false })).rejects.toThrow(/raw-kafka/u);
    }, 60_000);
  });
});
