import { describe, expect, it } from 'vitest';
import { createEnvelope } from '@statbus/core';
import { detectShape, exportRecord, importRecord } from './import-record.js';

// A message as datagrepper's /raw returns it (v1 shape, with meta=usernames,packages).
const datagrepperV1 = {
  i: 3,
  msg_id: '2019-1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b',
  topic: 'org.fedoraproject.prod.bodhi.update.comment',
  timestamp: 1563550455.123,
  msg: { comment: { text: 'works for me', karma: 1 }, agent: 'alice' },
  username: 'apache',
  crypto: 'x509',
  certificate: 'LS0t…',
  signature: 'c2ln…',
  source_name: 'datanommer',
  source_version: '0.9.1',
  headers: { 'sent-at': '2019-07-19T15:34:15+00:00', priority: 0 },
  users: ['alice', 'bob'],
  packages: ['kernel'],
};

// A message as datanommer-dump and datagrepper's /v2/ give it (fedora-messaging shape).
const fedoraMessaging = {
  id: '6f1c2b1e-8b1a-4d2b-9c1e-0d6c3f6f9a10',
  topic: 'org.fedoraproject.prod.copr.build.end',
  headers: {
    fedora_messaging_schema: 'copr.build.end',
    'sent-at': '2023-05-04T10:00:00.123456+00:00',
    fedora_messaging_severity: 20,
    fedora_messaging_user_carol: true,
    fedora_messaging_rpm_vim: true,
    priority: 0,
  },
  body: { build: 42, owner: 'carol', status: 1 },
  priority: 0,
  queue: 'datanommer',
};

describe(importRecord, () => {
  describe("when given datagrepper's v1 shape", () => {
    it('should keep id, time and sequence and index users and packages', () => {
      const result = importRecord(datagrepperV1, { prefix: 'org.fedoraproject' });
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.shape).toBe('datagrepper-v1');
      const { envelope } = result.message;
      expect([envelope.id, envelope.topic, envelope.time, envelope.seq]).toEqual([datagrepperV1.msg_id, datagrepperV1.topic, 1563550455123, 3]);
      expect(envelope.body).toEqual(datagrepperV1.msg);
      expect(envelope.headers['priority']).toBe('0');
      expect([result.message.category, result.message.users, result.message.packages]).toEqual(['bodhi', ['alice', 'bob'], ['kernel']]);
    });
  });

  describe("when given fedora-messaging's shape", () => {
    it('should take the time from sent-at, users and packages from the header flags, severity and schema by name', () => {
      const result = importRecord(fedoraMessaging);
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      const { envelope } = result.message;
      expect(envelope.id).toBe(fedoraMessaging.id);
      expect(envelope.time).toBe(Date.UTC(2023, 4, 4, 10, 0, 0, 123));
      expect(envelope.headers).toMatchObject({ severity: 'info', schema: 'copr.build.end', usernames: 'carol', packages: 'vim' });
      expect([result.message.category, result.message.users, result.message.packages]).toEqual(['copr', ['carol'], ['vim']]);
    });
  });

  describe('when given what statbus dump writes', () => {
    it('should round-trip exactly, index included', () => {
      const envelope = createEnvelope({ topic: 'org.statbus.dev.a.b.c', body: { x: 1 }, seq: 9, producer: { name: 'p', host: 'h', pid: 1, instance: 'i' } });
      const archived = { envelope, category: 'a', users: ['u'], packages: ['p'], agent: 'u' };
      const result = importRecord(JSON.parse(JSON.stringify(exportRecord(archived))), { prefix: 'org.statbus' });
      expect(result).toEqual({ ok: true, shape: 'statbus-archive', message: archived });
    });
  });

  describe('when a record gives no users or packages', () => {
    it("should derive them with the default extractors (Fedora's topic families)", () => {
      const { users: _users, packages: _packages, ...bare } = datagrepperV1;
      const result = importRecord({ ...bare, topic: 'org.fedoraproject.prod.bodhi.update.comment', msg: { comment: { author: 'alice', text: 'ok @bob', update_title: 'kernel-6.1-1.fc39' } } });
      expect(result.ok && [result.message.users, result.message.packages]).toEqual([['alice', 'bob'], ['kernel']]);
    });

    it('should derive nothing with an empty extractor list', () => {
      const { users: _users, packages: _packages, ...bare } = datagrepperV1;
      const result = importRecord(bare, { extractors: [] });
      expect(result.ok && [result.message.users, result.message.packages]).toEqual([[], []]);
    });
  });

  describe('when a v1 record gives users, packages and its source', () => {
    it('should keep them as given, empty lists included, and keep source_name and source_version', () => {
      const result = importRecord({ ...datagrepperV1, users: [], packages: ['kernel'] });
      expect(result.ok && [result.message.users, result.message.packages]).toEqual([[], ['kernel']]);
      expect(result.ok && result.message.envelope.headers).toMatchObject({ source_name: 'datanommer', source_version: '0.9.1' });
    });

    it('should take them from meta.usernames and meta.packages when datagrepper put them there', () => {
      const { users: _users, packages: _packages, ...bare } = datagrepperV1;
      const result = importRecord({ ...bare, meta: { usernames: ['zoe'], packages: ['vim'] } });
      expect(result.ok && [result.message.users, result.message.packages]).toEqual([['zoe'], ['vim']]);
    });
  });

  describe('when the record is bad', () => {
    it.each([
      [[1, 2], /JSON object/],
      [{ hello: 'world' }, /unknown shape/],
      [{ ...datagrepperV1, timestamp: 'yesterday' }, /timestamp/],
      [{ ...datagrepperV1, topic: 'a..b' }, /topic/],
      [{ ...fedoraMessaging, headers: { 'sent-at': 'not a time' } }, /sent-at/],
      [{ ...fedoraMessaging, id: '' }, /id/],
    ])('should refuse %j with the reason', (record, reason) => {
      const result = importRecord(record);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason).toMatch(reason);
    });
  });
});

describe(detectShape, () => {
  it('should tell the shapes apart', () => {
    expect([detectShape(datagrepperV1), detectShape(fedoraMessaging), detectShape({})]).toEqual(['datagrepper-v1', 'fedora-messaging', undefined]);
  });
});
