import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '@statbus/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { startCli, type CliProcess } from './support/cli-process.js';
import { REPO_ROOT, composeClient, readComposeServices, type ComposeService } from './support/compose-file.js';
import { AMQP_URL, amqpTransport, brokerUp, freePort, scratchDir } from './support/hub-bus.js';

const services = readComposeServices();
const client = composeClient();
const haveBroker = await brokerUp();
const inProfile = (profile: string): ComposeService[] => services.filter((service) => service.profiles.includes(profile));
/** Profiles of third-party services only (Prometheus, Grafana): not statbus commands, not built here. */
const THIRD_PARTY_PROFILES = ['metrics'];
/** The services that run statbus itself. */
const statbusServices = services.filter((service) => service.profiles.length > 0 && !service.profiles.some((profile) => THIRD_PARTY_PROFILES.includes(profile)));

describe('docker-compose.yml', () => {
  it.skipIf(client === undefined)(`should pass \`${client?.join(' ') ?? 'docker compose'} config\` for every profile${client === undefined ? ' (skipped: no Docker Compose client here)' : ''}`, () => {
    for (const profile of ['', 'zeromq', 'amqp', 'bench', 'metrics']) {
      const [bin, ...args] = client as [string, ...string[]];
      const result = spawnSync(bin, [...args, '-f', join(REPO_ROOT, 'docker-compose.yml'), ...(profile === '' ? [] : ['--profile', profile]), 'config', '-q'], { encoding: 'utf8' });
      expect(result.stderr, `profile ${profile || '(none)'}`).toBe('');
      expect(result.status, `profile ${profile || '(none)'}`).toBe(0);
    }
  });

  it('should have the backing services without a profile, and the same statbus services over each transport', () => {
    expect(services.filter((service) => service.profiles.length === 0).map((service) => service.name)).toEqual(['rabbitmq', 'mongodb']);
    const roles = (profile: string): string[] => inProfile(profile).map((service) => service.command[0] as string).sort();
    expect(roles('zeromq')).toEqual(['demo', 'nom', 'relay', 'serve']);
    expect(roles('amqp')).toEqual(['demo', 'nom', 'serve']);
    expect(inProfile('amqp').find((service) => service.command[0] === 'nom')?.replicas).toBe(2);
    for (const service of [...inProfile('zeromq'), ...inProfile('amqp')]) {
      expect(service.environment['STATBUS_STORE'], service.name).toMatch(/^mongodb:\/\/mongodb:27017\//u);
      expect(service.healthUrl, `${service.name} has a health check`).toBeDefined();
    }
  });

  it('should give every statbus service a command and flags the CLI has', async () => {
    const built = statbusServices;
    const helps = await Promise.all(
      built.map(async (service) => {
        const help = startCli([service.command[0] as string, '--help'], {});
        return { service, code: await help.exited, text: help.stdout() };
      }),
    );
    for (const { service, code, text } of helps) {
      const [command, ...args] = service.command as [string, ...string[]];
      expect(code, `statbus ${command} --help`).toBe(0);
      for (const flag of args.filter((arg) => arg.startsWith('--'))) expect(text, `${service.name}: statbus ${command} ${flag}`).toContain(flag);
    }
  });

  it('should build every statbus service from the repository’s one Dockerfile', () => {
    const built = statbusServices;
    expect(built.length).toBeGreaterThan(0);
    for (const service of built) expect(service.build, service.name).toBe('.');
    expect(existsSync(join(REPO_ROOT, 'Dockerfile'))).toBe(true);
    expect(existsSync(join(REPO_ROOT, '.dockerignore'))).toBe(true);
  });
});

/**
 * Runs a profile's statbus services as processes on this machine, as Compose would run their containers:
 * the same commands and `STATBUS_*` environment, dependencies started first and waited for until their
 * health check passes, `deploy.replicas` copies. What cannot be the same here is rewritten: host names
 * become this machine's RabbitMQ or ipc:// paths, MongoDB (none can run here) becomes an SQLite file, fixed
 * ports become free ones, and RabbitMQ names are unique to the test.
 */
class LocalStack {
  readonly #running = new Map<string, { readonly role: string; readonly processes: CliProcess[]; readonly healthUrls: string[] }>();
  readonly #env: Record<string, string>;
  readonly #cwd: string;

  constructor(env: Record<string, string>, cwd: string) {
    this.#env = env;
    this.#cwd = cwd;
  }

  /** Starts the statbus services of `profile`, each once the ones it depends on are healthy. */
  async start(profile: string): Promise<void> {
    const pending = inProfile(profile);
    const ours = new Set(pending.map((service) => service.name));
    while (pending.length > 0) {
      const index = pending.findIndex((service) => service.dependsOn.every((name) => !ours.has(name) || this.#running.has(name)));
      expect(index, `a service of profile ${profile} whose dependencies have started`).toBeGreaterThanOrEqual(0);
      const [service] = pending.splice(index, 1) as [ComposeService];
      for (const dependency of service.dependsOn) await this.healthy(dependency);
      await this.#launch(service);
    }
    for (const name of this.#running.keys()) await this.healthy(name);
  }

  async #launch(service: ComposeService): Promise<void> {
    const processes: CliProcess[] = [];
    const healthUrls: string[] = [];
    for (let replica = 0; replica < service.replicas; replica += 1) {
      const args = [...service.command];
      for (const flag of ['--port', '--health-port']) {
        const at = args.indexOf(flag);
        if (at < 0) continue;
        const port = String(await freePort());
        if (service.healthUrl?.includes(`:${args[at + 1] ?? ''}/`) === true) healthUrls.push(service.healthUrl.replace(/:\d+\//u, `:${port}/`));
        args[at + 1] = port;
      }
      processes.push(startCli(args, { ...service.environment, ...this.#env }, undefined, { cwd: this.#cwd }));
    }
    this.#running.set(service.name, { role: service.command[0] as string, processes, healthUrls });
  }

  /** Waits until every replica of `name` passes its health check (Compose's `condition: service_healthy`). */
  async healthy(name: string): Promise<void> {
    const started = this.#running.get(name);
    if (started === undefined) return;
    for (const url of started.healthUrls) {
      await waitFor(
        async () => {
          const exited = started.processes.find((process) => process.child.exitCode !== null);
          if (exited !== undefined) throw new Error(`${name} exited: ${exited.stderr()}`);
          return (await fetch(url).catch(() => undefined))?.ok === true;
        },
        { timeoutMs: 20_000, message: `${name} healthy at ${url}` },
      );
    }
  }

  /** The processes running `statbus <role>`. */
  processes(role: string): CliProcess[] {
    return [...this.#running.values()].filter((started) => started.role === role).flatMap((started) => started.processes);
  }

  queryUrl(): string {
    const [serve] = this.processes('serve');
    const url = /statbus serve: (http:\/\/\S+)/u.exec(serve?.stderr() ?? '')?.[1];
    if (url === undefined) throw new Error(`the query server printed no URL: ${serve?.stderr() ?? '(not started)'}`);
    return url;
  }

  async stop(role: string): Promise<(number | string)[]> {
    return Promise.all(this.processes(role).map((process) => process.stop('SIGTERM')));
  }

  async kill(): Promise<void> {
    await Promise.all([...this.#running.values()].flatMap((started) => started.processes.map((process) => process.stop('SIGKILL'))));
  }
}

const ARCHIVED = /statbus nom: stopped; (\{.*\})/u;

describe.each([
  { profile: 'zeromq', runnable: true },
  { profile: 'amqp', runnable: haveBroker },
])('docker-compose --profile $profile, its services run here as processes', ({ profile, runnable }) => {
  const cleanups: (() => Promise<void> | void)[] = [];

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it.skipIf(!runnable)(`should archive the demo's traffic and serve it, losing nothing the demo reports published${runnable ? '' : ` (skipped: no RabbitMQ at ${AMQP_URL})`}`, async () => {
    const scratch = scratchDir();
    cleanups.push(scratch.remove);
    const env: Record<string, string> = { STATBUS_STORE: `sqlite:${join(scratch.dir, 'archive.db')}`, STATBUS_LOG__LEVEL: 'warn' };
    if (profile === 'zeromq') {
      Object.assign(env, { STATBUS_ZEROMQ__RELAY_INBOUND: `ipc://${join(scratch.dir, 'relay-in')}`, STATBUS_ZEROMQ__RELAY_OUTBOUND: `ipc://${join(scratch.dir, 'relay-out')}` });
    } else {
      const bus = await amqpTransport().bus();
      cleanups.push(() => bus.cleanup());
      Object.assign(env, bus.env, { STATBUS_SINK__QUEUE: bus.names.queue });
    }
    const stack = new LocalStack(env, scratch.dir);
    cleanups.push(() => stack.kill());

    await stack.start(profile);
    const url = stack.queryUrl();
    await waitFor(
      async () => {
        const body = (await (await fetch(`${url}/raw?rows_per_page=1`)).json()) as { total: number };
        return body.total >= 40;
      },
      { timeoutMs: 30_000, message: 'demo traffic in the archive' },
    );

    const [demoExit] = await stack.stop('demo');
    expect(demoExit).toBe(0);
    const published = Number(/statbus demo: published (\d+) messages/u.exec(stack.processes('demo')[0]?.stderr() ?? '')?.[1]);
    expect(published).toBeGreaterThanOrEqual(40);
    const archived = await waitFor(
      async () => {
        const stats = startCli(['stats', '--json'], env, undefined, { cwd: scratch.dir });
        if ((await stats.exited) !== 0) throw new Error(`statbus stats failed: ${stats.stderr()}`);
        const { total } = JSON.parse(stats.stdout()) as { total: number };
        return total >= published ? total : undefined;
      },
      { timeoutMs: 20_000, message: `all ${published} published messages archived` },
    );
    expect(archived).toBe(published);
    const topics = (await (await fetch(`${url}/topics`)).json()) as { topics: readonly { topic: string }[] };
    expect(topics.topics.length).toBeGreaterThan(1);

    expect(await stack.stop('nom')).toEqual(stack.processes('nom').map(() => 0));
    const perArchiver = stack.processes('nom').map((process) => (JSON.parse(ARCHIVED.exec(process.stderr())?.[1] ?? '{}') as { archived?: number }).archived ?? 0);
    expect(perArchiver.reduce((sum, archived) => sum + archived, 0)).toBe(published);
    // Over AMQP the two replicas share one queue: RabbitMQ hands each of them a part.
    if (profile === 'amqp') expect(perArchiver.every((archived) => archived > 0), `archived per replica: ${perArchiver.join(', ')}`).toBe(true);
    expect(await stack.stop('serve')).toEqual([0]);
    expect(await stack.stop('relay')).toEqual(stack.processes('relay').map(() => 0));
  });
});
