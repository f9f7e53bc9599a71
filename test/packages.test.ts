import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const exec = promisify(execFile);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Every workspace package that is not private: what users depend on. */
const PUBLIC = readdirSync(join(root, 'packages'))
  .map((dir) => JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) as { name: string; version: string; private?: boolean })
  .filter((manifest) => manifest.private !== true);

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  dev?: boolean;
  dependencies?: Record<string, string>;
  [key: string]: unknown;
}

/**
 * The scratch project's lock file, derived from the workspace's: the same third-party versions (their
 * tarballs are in npm's cache after `npm ci`, so nothing is downloaded and no registry is asked), the
 * packed tarballs in place of the workspace links. Entries only the workspace's own tooling needs are left out.
 */
function scratchLock(manifest: { dependencies: Record<string, string>; devDependencies: Record<string, string> }, packed: Map<string, string>): object {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const packages: Record<string, LockEntry> = { '': { name: 'scratch', version: '1.0.0', ...manifest } };
  const keepDev = new Set(['node_modules/@types/node', 'node_modules/undici-types']);
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '' || !path.includes('node_modules/')) continue;
    const workspace = /^packages\/([^/]+)\/(node_modules\/.+)$/u.exec(path);
    if (entry.link === true) {
      const name = path.slice('node_modules/'.length);
      const tarball = packed.get(name);
      if (tarball === undefined) continue;
      const own = JSON.parse(readFileSync(join(root, entry.resolved ?? '', 'package.json'), 'utf8')) as LockEntry & { bin?: unknown; optionalDependencies?: Record<string, string> };
      packages[path] = {
        version: own.version,
        resolved: `file:../packs/${tarball}`,
        ...(own.dependencies === undefined ? {} : { dependencies: own.dependencies }),
        ...(own.bin === undefined ? {} : { bin: own.bin }),
      };
      continue;
    }
    if (entry.dev === true && !keepDev.has(path)) continue;
    const { dev: _dev, devOptional: _devOptional, ...rest } = entry;
    const target = workspace === null ? path : `node_modules/@statbus/${workspace[1] ?? ''}/${workspace[2] ?? ''}`;
    packages[target] = rest;
  }
  return { name: 'scratch', version: '1.0.0', lockfileVersion: 3, requires: true, packages };
}

/** A program using the packages' public types, as a user's would; tsc must accept it. */
const CONSUMER_TS = `
import { createEnvelope, loadConfig, silentLogger, type Envelope, type MessageStore, type Transport } from '@statbus/core';
import { Producer } from '@statbus/producer';
import { ConsumerHub, Drop } from '@statbus/consumer';
import { SqliteMessageStore } from '@statbus/sink';
import { createQueryServer } from '@statbus/query';
import { AmqpTransport } from '@statbus/transport-amqp';
import { ZeroMqTransport } from '@statbus/transport-zeromq';

const { config } = loadConfig({ env: {} });
const transport: Transport = config.transport === 'amqp' ? new AmqpTransport(config, silentLogger) : new ZeroMqTransport(config, silentLogger);
const producer = new Producer(transport, config, silentLogger);
const hub = new ConsumerHub(transport, config, silentLogger);
hub.register(['org.statbus.dev.bodhi.#'], async (envelope: Envelope) => {
  if (envelope.body['karma'] === undefined) throw new Drop('no karma');
});
const store: MessageStore = new SqliteMessageStore(':memory:');
const api = createQueryServer({ store, config: config.query });
const envelope: Envelope = createEnvelope({ topic: 'org.statbus.dev.bodhi.update', body: { karma: 1 }, seq: 1, producer: producer.identity });
export { api, envelope };
`;

/** Run by node from the scratch project: the packages load and work from their tarballs. */
const RUN_MJS = `
import { archiveMessage, createEnvelope, decodeEnvelope, encodeEnvelope } from '@statbus/core';
import { SqliteMessageStore } from '@statbus/sink';
import { createQueryServer } from '@statbus/query';
import '@statbus/producer';
import '@statbus/consumer';
import '@statbus/transport-amqp';
import '@statbus/transport-zeromq';
const envelope = createEnvelope({ topic: 'org.statbus.dev.bodhi.update.comment', body: { karma: 1 }, seq: 1, producer: { name: 'p', host: 'h', pid: 1, instance: 'i' } });
const store = new SqliteMessageStore('archive.db');
await store.init();
await store.insertMany([archiveMessage(decodeEnvelope(encodeEnvelope(envelope)))]);
const api = createQueryServer({ store, config: { cors_origins: [], cache_entries: 16 } });
const response = await api.inject({ method: 'GET', url: '/raw?category=bodhi' });
console.log(response.statusCode, response.json().total);
await api.close();
await store.close();
`;

describe.sequential('the packages, packed and installed outside the monorepo', () => {
  let scratch: string;

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'statbus-packages-'));
    const packs = join(scratch, 'packs');
    mkdirSync(packs);
    const project = join(scratch, 'project');
    mkdirSync(project);
    // One npm pack for every public package (dist must be built: npm test builds first).
    const { stdout } = await exec(npm, ['pack', '--json', '--pack-destination', packs, ...PUBLIC.flatMap((manifest) => ['-w', manifest.name])], { cwd: root });
    const packed = JSON.parse(stdout) as { name: string; filename: string }[];
    const tarballs = new Map(packed.map((pack) => [pack.name, pack.filename]));
    const dependencies = Object.fromEntries(packed.map((pack) => [pack.name, `file:../packs/${pack.filename}`]));
    const manifest = { dependencies, devDependencies: { '@types/node': '^20.19.43' } };
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'scratch', version: '1.0.0', private: true, type: 'module', ...manifest }, null, 2));
    writeFileSync(join(project, 'package-lock.json'), JSON.stringify(scratchLock(manifest, tarballs), null, 2));
    // Offline: everything from the tarballs and npm's cache, nothing downloaded.
    await exec(npm, ['ci', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: project, timeout: 120_000 });
    // better-sqlite3's install script builds its addon; scripts are off here, so take the workspace's build of the same version.
    const release = join(project, 'node_modules', 'better-sqlite3', 'build', 'Release');
    mkdirSync(release, { recursive: true });
    copyFileSync(join(root, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'), join(release, 'better_sqlite3.node'));
    writeFileSync(join(project, 'consumer.ts'), CONSUMER_TS);
    writeFileSync(join(project, 'run.mjs'), RUN_MJS);
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2023', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, types: ['node'], skipLibCheck: false }, files: ['consumer.ts'] }),
    );
  }, 180_000);

  afterAll(() => {
    rmSync(scratch, { recursive: true, force: true });
  });

  it('should pack every public package with its compiled code and types, not its sources or tests', async () => {
    expect(PUBLIC.map((manifest) => manifest.name)).toEqual(expect.arrayContaining(['@statbus/core', '@statbus/cli', '@statbus/sink']));
    const { stdout } = await exec('tar', ['-tzf', join(scratch, 'packs', 'statbus-core-0.1.0.tgz')]);
    expect(stdout).toMatch(/package\/dist\/index\.js/u);
    expect(stdout).toMatch(/package\/dist\/index\.d\.ts/u);
    expect(stdout).toMatch(/package\/CHANGELOG\.md/u);
    expect(stdout).not.toMatch(/package\/src\//u);
    expect(stdout).not.toMatch(/\.test\./u);
  });

  it('should type-check a program using the packages (tsc over the scratch project, library types included)', async () => {
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await exec(process.execPath, [tsc, '-p', join(scratch, 'project', 'tsconfig.json')]).then(
      () => '',
      (error: unknown) => (error as { stdout: string }).stdout,
    );
    expect(result).toBe('');
  }, 120_000);

  it('should run: an envelope archived into SQLite and found over the query API', async () => {
    const { stdout } = await exec(process.execPath, ['run.mjs'], { cwd: join(scratch, 'project') });
    expect(stdout.trim()).toBe('200 1');
  });

  it('should install the statbus command', async () => {
    const { stdout } = await exec(join(scratch, 'project', 'node_modules', '.bin', 'statbus'), ['--version'], { cwd: join(scratch, 'project') });
    expect(stdout.trim()).toBe(PUBLIC.find((manifest) => manifest.name === '@statbus/cli')?.version);
  });
});
