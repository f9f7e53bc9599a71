import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEnvelope } from '../envelope/create-envelope.js';
import { HEADER_REPLAYED, type Envelope } from '../envelope/envelope.js';
import { generateKeyPair } from './generate-key-pair.js';
import { loadPublicKeys } from './load-public-keys.js';
import { RoutingPolicy } from './routing-policy.js';
import { Signer } from './signer.js';
import { SigningKeyError } from './signing-key-error.js';
import { Verifier } from './verifier.js';

const TOPIC = 'org.statbus.dev.bodhi.update.comment';

function envelopeOf(name: string, topic = TOPIC): Envelope {
  return createEnvelope({ topic, body: { update: 'FEDORA-2026-1', karma: 1 }, seq: 1, producer: { name, host: 'h', pid: 1, instance: 'i' } });
}

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'statbus-signing-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe(generateKeyPair, () => {
  it('should write a PKCS#8 private key readable only by its owner and an SPKI public key', async () => {
    const pair = await generateKeyPair('bodhi', join(dir, 'keys'));
    expect(pair.privateKeyPath).toBe(join(dir, 'keys', 'bodhi.key'));
    expect((await stat(pair.privateKeyPath)).mode & 0o777).toBe(0o600);
    expect(await readFile(pair.privateKeyPath, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/u);
    expect(await readFile(pair.publicKeyPath, 'utf8')).toBe(pair.publicKeyPem);
    expect(pair.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----/u);
  });

  it('should keep private keys out of git with a .gitignore, leaving one the user wrote alone', async () => {
    await generateKeyPair('bodhi', join(dir, 'keys'));
    expect(await readFile(join(dir, 'keys', '.gitignore'), 'utf8')).toMatch(/^\*\.key$/mu);
    await writeFile(join(dir, '.gitignore'), 'mine\n');
    await generateKeyPair('koji', dir);
    expect(await readFile(join(dir, '.gitignore'), 'utf8')).toBe('mine\n');
  });

  describe('when a key of that name exists', () => {
    it('should refuse to overwrite it unless asked', async () => {
      const first = await generateKeyPair('bodhi', dir);
      await expect(generateKeyPair('bodhi', dir)).rejects.toBeInstanceOf(SigningKeyError);
      expect(await readFile(first.publicKeyPath, 'utf8')).toBe(first.publicKeyPem);
      const second = await generateKeyPair('bodhi', dir, { overwrite: true });
      expect(second.publicKeyPem).not.toBe(first.publicKeyPem);
    });
  });

  describe('when the name could escape the directory', () => {
    it('should reject it', async () => {
      await expect(generateKeyPair('../evil', dir)).rejects.toThrow(SigningKeyError);
      await expect(generateKeyPair('.hidden', dir)).rejects.toThrow(SigningKeyError);
    });
  });
});

describe(Signer, () => {
  describe('.fromDirectory', () => {
    it('should reject a missing key with the path', async () => {
      await expect(Signer.fromDirectory('nobody', dir)).rejects.toMatchObject({ code: 'ERR_CONFIG', path: join(dir, 'nobody.key') });
    });

    it('should reject a file that is not a key', async () => {
      await writeFile(join(dir, 'junk.key'), 'not a key');
      await expect(Signer.fromDirectory('junk', dir)).rejects.toBeInstanceOf(SigningKeyError);
    });
  });

  it('should refuse a key that is not Ed25519', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => new Signer('x', privateKey)).toThrow(SigningKeyError);
  });

  describe('.sign', () => {
    it('should refuse an envelope of another producer', async () => {
      await generateKeyPair('bodhi', dir);
      const signer = await Signer.fromDirectory('bodhi', dir);
      expect(() => signer.sign(envelopeOf('koji'))).toThrow(SigningKeyError);
    });
  });
});

describe(Verifier, () => {
  let signer: Signer;
  let verifier: Verifier;

  beforeEach(async () => {
    await generateKeyPair('bodhi', dir);
    await generateKeyPair('koji', dir);
    signer = await Signer.fromDirectory('bodhi', dir);
    verifier = await Verifier.fromConfig({
      keys_dir: dir,
      routing_policy: { bodhi: ['org.statbus.dev.bodhi.#'] },
      routing_nitpicky: false,
    });
  });

  describe('.verify', () => {
    it('should accept a message signed by its producer on an allowed topic', () => {
      expect(verifier.verify(signer.sign(envelopeOf('bodhi')))).toEqual({ outcome: 'ok' });
    });

    it('should accept it after a JSON round trip that reorders keys', () => {
      const signed = signer.sign(envelopeOf('bodhi'));
      const { body, signature, ...rest } = signed;
      const copy = JSON.parse(JSON.stringify({ signature, body, ...rest })) as Envelope;
      expect(verifier.verify(copy).outcome).toBe('ok');
    });

    it('should report a missing signature', () => {
      expect(verifier.verify(envelopeOf('bodhi')).outcome).toBe('missing-signature');
    });

    it('should report an unknown producer', () => {
      const signed = signer.sign(envelopeOf('bodhi'));
      expect(verifier.verify({ ...signed, producer: { ...signed.producer, name: 'mallory' } }).outcome).toBe('unknown-producer');
    });

    it('should report a changed body as a bad signature', () => {
      const signed = signer.sign(envelopeOf('bodhi'));
      expect(verifier.verify({ ...signed, body: { update: 'FEDORA-2026-1', karma: -1 } }).outcome).toBe('bad-signature');
    });

    it('should accept a message marked replayed, and refuse any other header added after signing', () => {
      const signed = signer.sign(envelopeOf('bodhi'));
      expect(verifier.verify({ ...signed, headers: { ...signed.headers, [HEADER_REPLAYED]: '2026-01-01T00:00:00.000Z' } }).outcome).toBe('ok');
      expect(verifier.verify({ ...signed, headers: { ...signed.headers, severity: 'error' } }).outcome).toBe('bad-signature');
    });

    it('should report a signature made with another key as bad', async () => {
      const koji = await Signer.fromDirectory('koji', dir);
      const forged = { ...envelopeOf('bodhi'), signature: koji.signature(envelopeOf('bodhi')) };
      expect(verifier.verify(forged).outcome).toBe('bad-signature');
    });

    it.each(['', 'not base64!', 'AAAA', 'A'.repeat(4096)])('should report a malformed signature %# as bad without throwing', (signature) => {
      const outcome = verifier.verify({ ...envelopeOf('bodhi'), signature }).outcome;
      expect(['bad-signature', 'missing-signature']).toContain(outcome);
    });

    it('should report a topic outside the routing policy', async () => {
      const koji = await Signer.fromDirectory('koji', dir);
      const result = verifier.verify(koji.sign(envelopeOf('koji', 'org.statbus.dev.bodhi.update.request')));
      expect(result).toMatchObject({ outcome: 'topic-not-allowed' });
    });

    it('should allow everything routing-wise without a policy', async () => {
      const koji = await Signer.fromDirectory('koji', dir);
      const open = new Verifier({ keys: await loadPublicKeys(dir), policy: new RoutingPolicy() });
      expect(open.verify(koji.sign(envelopeOf('koji', 'org.statbus.dev.bodhi.update.request'))).outcome).toBe('ok');
    });
  });
});

describe(loadPublicKeys, () => {
  it('should key public keys by file name and ignore other files', async () => {
    await generateKeyPair('bodhi', dir);
    await writeFile(join(dir, 'README'), 'hello');
    expect([...(await loadPublicKeys(dir)).keys()]).toEqual(['bodhi']);
  });

  it('should reject an unreadable directory and a broken key', async () => {
    await expect(loadPublicKeys(join(dir, 'missing'))).rejects.toBeInstanceOf(SigningKeyError);
    await writeFile(join(dir, 'broken.pub'), 'nope');
    await expect(loadPublicKeys(dir)).rejects.toMatchObject({ path: join(dir, 'broken.pub') });
  });
});
