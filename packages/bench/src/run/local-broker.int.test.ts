import { tcpAnswers } from '@statbus/testing';
import { describe, expect, it } from 'vitest';
import { findLocalBroker } from './local-broker.js';

const LOCAL_AMQP = 'amqp://guest:guest@127.0.0.1:5672';
const rabbitHere = await tcpAnswers(LOCAL_AMQP);

describe(findLocalBroker, () => {
  describe('when the URL names another machine, or is no URL', () => {
    it('should find no broker', () => {
      expect(findLocalBroker('amqp://guest:guest@rabbit.example.org:5672')).toBeUndefined();
      expect(findLocalBroker('not a url')).toBeUndefined();
    });
  });

  describe.skipIf(!rabbitHere)(`when RabbitMQ answers on this machine (${LOCAL_AMQP})`, () => {
    it('should find its Erlang VM and read the CPU time it has used', () => {
      const broker = findLocalBroker(LOCAL_AMQP);
      expect(broker, 'a beam.smp process running rabbit').toBeDefined();
      const cpuMs = broker?.cpuMs();
      expect(cpuMs).toBeGreaterThan(0);
      expect(broker?.cpuMs()).toBeGreaterThanOrEqual(cpuMs ?? 0);
    });
  });
});
