import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** The repository root, where `docker-compose.yml` and `Dockerfile` are. */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** One service of `docker-compose.yml`, as much of it as running it outside Docker needs. */
export interface ComposeService {
  readonly name: string;
  readonly profiles: readonly string[];
  /** Build context, for services built from the repository's Dockerfile. */
  readonly build?: string;
  /** The image it runs (statbus's own, or a third party's such as Prometheus). */
  readonly image?: string;
  /** Its volumes, in Compose's short syntax (`./host/path:/container/path:ro`, `named:/path`). */
  readonly volumes: readonly string[];
  readonly command: readonly string[];
  readonly environment: Readonly<Record<string, string>>;
  readonly dependsOn: readonly string[];
  readonly replicas: number;
  /** The `http://127.0.0.1:PORT/PATH` its health check fetches, if it is one. */
  readonly healthUrl?: string;
}

interface RawService {
  readonly profiles?: string[];
  readonly build?: string | { context?: string };
  readonly image?: string;
  readonly volumes?: string[];
  readonly command?: string[] | string;
  readonly environment?: Record<string, string | number | boolean> | string[];
  readonly depends_on?: string[] | Record<string, unknown>;
  readonly deploy?: { replicas?: number };
  readonly healthcheck?: { test?: string[] | string };
}

function environmentOf(raw: RawService['environment']): Record<string, string> {
  if (raw === undefined) return {};
  if (Array.isArray(raw)) return Object.fromEntries(raw.map((entry) => [entry.split('=')[0] as string, entry.slice(entry.indexOf('=') + 1)]));
  return Object.fromEntries(Object.entries(raw).map(([key, value]) => [key, String(value)]));
}

/** Reads the services of `docker-compose.yml` (YAML merge keys resolved, as Compose does). */
export function readComposeServices(path = join(REPO_ROOT, 'docker-compose.yml')): ComposeService[] {
  const document = parse(readFileSync(path, 'utf8'), { merge: true }) as { services: Record<string, RawService> };
  return Object.entries(document.services).map(([name, raw]) => {
    const check = [raw.healthcheck?.test ?? []].flat().join(' ');
    const healthUrl = /http:\/\/127\.0\.0\.1:\d+\/[a-z]+/u.exec(check)?.[0];
    const build = typeof raw.build === 'string' ? raw.build : raw.build?.context;
    return {
      name,
      profiles: raw.profiles ?? [],
      ...(build === undefined ? {} : { build }),
      ...(raw.image === undefined ? {} : { image: raw.image }),
      volumes: raw.volumes ?? [],
      command: typeof raw.command === 'string' ? raw.command.split(/\s+/u) : (raw.command ?? []),
      environment: environmentOf(raw.environment),
      dependsOn: Array.isArray(raw.depends_on) ? raw.depends_on : Object.keys(raw.depends_on ?? {}),
      replicas: raw.deploy?.replicas ?? 1,
      ...(healthUrl === undefined ? {} : { healthUrl }),
    };
  });
}

/** A Docker Compose client on this machine: `docker compose` (v2) or `docker-compose` (v1), if any. */
export function composeClient(): readonly string[] | undefined {
  for (const candidate of [['docker', 'compose'], ['docker-compose']]) {
    const [bin, ...args] = candidate as [string, ...string[]];
    const probe = spawnSync(bin, [...args, 'version'], { encoding: 'utf8' });
    if (probe.status === 0) return candidate;
  }
  return undefined;
}
