import { QueryError, REDACTED, type ArchivedMessage, type Envelope, type JsonObject, type MaintenanceOptions, type RedactionPath } from '@statbus/core';

/** The users, packages and agent a redacted message keeps. */
export interface DerivedKeys {
  readonly users: readonly string[];
  readonly packages: readonly string[];
  readonly agent: string | undefined;
  /** Whether any differs from what was stored. */
  readonly changed: boolean;
}

/**
 * The users, packages and agent a redacted message keeps: each as stored, unless the original envelope and the
 * redacted one derive different values (the redaction removed what it came from), then the redacted one's (where
 * the redaction marker itself is no name).
 */
export function rederive(before: ArchivedMessage, redacted: Envelope, options: MaintenanceOptions): DerivedKeys {
  const stored = { users: before.users, packages: before.packages, agent: before.agent, changed: false };
  if (options.derive === undefined) return stored;
  const was = options.derive(before.envelope);
  const is = withoutRedacted(options.derive(redacted));
  const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
  const users = same(was.users, is.users) ? before.users : is.users;
  const packages = same(was.packages, is.packages) ? before.packages : is.packages;
  const agent = was.agent === is.agent ? before.agent : is.agent;
  return { users, packages, agent, changed: !same(users, before.users) || !same(packages, before.packages) || agent !== before.agent };
}

/** A value a redaction put in place is nobody's name: not a user, package or agent. */
function withoutRedacted(keys: Pick<ArchivedMessage, 'users' | 'packages' | 'agent'>): Pick<ArchivedMessage, 'users' | 'packages' | 'agent'> {
  const users = keys.users.filter((user) => user !== REDACTED);
  const packages = keys.packages.filter((name) => name !== REDACTED);
  return keys.agent === undefined || keys.agent === REDACTED ? { users, packages } : { users, packages, agent: keys.agent };
}

/**
 * Each path (`body` when none) in parts, checked.
 *
 * @throws {QueryError} naming `field` for a path that is not `body`, `body.<key>…` or `headers.<name>`.
 */
export function parseRedactionPaths(paths: readonly RedactionPath[]): [string, ...string[]][] {
  return (paths.length === 0 ? ['body'] : paths).map(parsePath);
}

/**
 * Copies of `envelope`'s headers and body with the value at each path replaced by {@link REDACTED} (`body` alone: the
 * whole body becomes `{ redacted: true }`).
 *
 * @throws {QueryError} naming `field` for a path that is not in the message.
 */
export function redactEnvelope(envelope: Envelope, targets: readonly [string, ...string[]][]): { headers: Record<string, string>; body: JsonObject } {
  let body = structuredClone(envelope.body) as Record<string, unknown>;
  const headers: Record<string, unknown> = { ...envelope.headers };
  for (const [root, ...keys] of targets) {
    if (root === 'body' && keys.length === 0) body = { redacted: true };
    else replaceAt(root === 'body' ? body : headers, keys, [root, ...keys].join('.'));
  }
  return { headers: headers as Record<string, string>, body: body as JsonObject };
}

/** `body`, `body.a.0.b` or `headers.name` → its parts. */
function parsePath(path: RedactionPath): [string, ...string[]] {
  const parts = path.split('.');
  const [root = '', ...keys] = parts;
  if ((root !== 'body' && root !== 'headers') || keys.some((key) => key === '') || (root === 'headers' && keys.length !== 1)) {
    throw new QueryError('field', `${JSON.stringify(path)}: expected body, body.<key>[.<key>…] or headers.<name>`);
  }
  return [root, ...keys];
}

function replaceAt(root: Record<string, unknown>, keys: readonly string[], path: string): void {
  let node: unknown = root;
  for (const [index, key] of keys.entries()) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) throw new QueryError('field', `${JSON.stringify(path)}: not in the message`);
    if (index === keys.length - 1) (node as Record<string, unknown>)[key] = REDACTED;
    else node = (node as Record<string, unknown>)[key];
  }
}
