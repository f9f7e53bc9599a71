import type { ValueTransform } from './extraction-rule.js';

/** `name-version-release` → `name` (everything before the last two dashes); `name` alone stays. */
export function nameOfNvr(nvr: string): string {
  const parts = nvr.trim().split('-');
  return parts.length >= 3 ? parts.slice(0, -2).join('-') : (parts[0] ?? '');
}

/** `name-version-release.arch.rpm` → `name`. */
export function nameOfRpmFilename(filename: string): string {
  const base = filename.trim().split('/').pop() ?? '';
  const withoutRpm = base.replace(/\.rpm$/u, '');
  const withoutArch = withoutRpm === base ? base : withoutRpm.replace(/\.[^.]+$/u, '');
  return nameOfNvr(withoutArch);
}

/** Namespaces of dist-git whose repositories are RPM packages. */
const PACKAGE_NAMESPACES = new Set(['rpms', 'rpms-checks']);
const OTHER_NAMESPACES = new Set(['modules', 'container', 'containers', 'flatpaks', 'tests', 'forks', 'fork', 'apps']);

/** `rpms/foo`, `/srv/git/rpms/foo.git`, `foo` → `foo`; a repository of another namespace → undefined. */
export function packageOfDistGitPath(path: string): string | undefined {
  const words = path.replace(/\.git$/u, '').split('/').filter((word) => word !== '');
  const name = words[words.length - 1];
  if (name === undefined) return undefined;
  if (words.some((word) => word === 'forks' || word === 'fork')) return undefined;
  const namespace = words[words.length - 2];
  if (namespace === undefined || PACKAGE_NAMESPACES.has(namespace)) return name;
  return OTHER_NAMESPACES.has(namespace) ? undefined : name;
}

const FEDORA_EMAIL = /^([^@\s]+)@fedoraproject\.org$/u;
const OPENID = /^(?:https?:\/\/)?([^./\s]+)\.id\.fedoraproject\.org\/?$/u;

/** Applies `transform` to one string found in a message. */
export function applyTransform(transform: ValueTransform, raw: string, identities: Readonly<Record<string, string>>): string[] {
  const value = raw.trim();
  if (value === '') return [];
  switch (transform) {
    case 'value':
      return [value];
    case 'capability':
      return [value.split('(')[0]?.trim() ?? ''];
    case 'lower':
      return [value.toLowerCase()];
    case 'nvr':
      return [nameOfNvr(value)];
    case 'nvr-list':
      return value.split(/[\s,]+/u).filter((item) => item !== '').map(nameOfNvr);
    case 'rpm-filename':
      return [nameOfRpmFilename(value)];
    case 'dist-git': {
      const name = packageOfDistGitPath(value);
      return name === undefined ? [] : [name];
    }
    case 'mentions':
      return [...value.matchAll(/@(\w+)/gu)].map((match) => match[1] as string);
    case 'email': {
      const known = identities[value] ?? identities[value.toLowerCase()];
      if (known !== undefined) return [known];
      const local = FEDORA_EMAIL.exec(value.toLowerCase());
      return [local === null ? value : (local[1] as string)];
    }
    case 'account': {
      const openid = OPENID.exec(value);
      if (openid !== null) return [openid[1] as string];
      if (!value.includes('@')) return [value];
      const known = identities[value] ?? identities[value.toLowerCase()];
      if (known !== undefined) return [known];
      const local = FEDORA_EMAIL.exec(value.toLowerCase());
      return local === null ? [] : [local[1] as string];
    }
    case 'mail-address': {
      const address = /<([^>]+)>/u.exec(value)?.[1] ?? value;
      return applyTransform('account', address, identities);
    }
    case 'nick':
      return [identities[value] ?? value];
    case 'owner': {
      const owner = value.split('/')[0] ?? '';
      return owner === '' || owner.startsWith('@') || !value.includes('/') ? [] : [owner];
    }
    case 'project':
      return [value.split('/').pop() ?? value];
    case 'url-user': {
      const last = value.replace(/\/+$/u, '').split('/').pop() ?? '';
      return last === '' ? [] : [last];
    }
  }
}
