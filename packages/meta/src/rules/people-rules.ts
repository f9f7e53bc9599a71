import type { ExtractionRule } from '../extraction-rule.js';

/** A field that is a username, or an object with `username` (else `name`). */
const person = (path: string) => [path, `${path}.username`, { path: `${path}.name`, when: { path: `${path}.username`, exists: false } }];

/** The Fedora Account System (`fas.*`, FAS and noggin): who acted and on whom. */
export const FAS_RULES: readonly ExtractionRule[] = [
  { family: 'fas', topic: 'fas.#', users: [...person('agent'), ...person('user')], packages: [] },
];

/** Fedora Badges (`fedbadges.*`): the person awarded or ranked. */
export const BADGES_RULES: readonly ExtractionRule[] = [
  { family: 'fedbadges', topic: 'fedbadges.#', users: ['user.username', { path: 'person.nickname', fallback: true }], packages: [] },
];

/** Copr: who built and whose copr it is; a copr build names no Fedora package. */
export const COPR_RULES: readonly ExtractionRule[] = [
  { family: 'copr', topic: 'copr.#', users: ['user', 'owner'], packages: [] },
];

/** Anitya (release-monitoring.org): who acted; the Fedora packages a project maps to. */
export const ANITYA_RULES: readonly ExtractionRule[] = [
  {
    family: 'anitya',
    topic: 'anitya.#',
    // The oldest messages name nobody: anitya itself sent them.
    users: [{ path: 'message.agent', as: 'account' }, { value: 'anitya', when: { path: 'message', exists: false } }],
  },
  {
    family: 'anitya',
    topic: 'anitya.project.map.update',
    when: { path: 'distro.name', in: ['fedora'] },
    packages: ['message.new', 'message.prev'],
  },
  { family: 'anitya', topic: 'anitya.project.map.new', when: { path: 'distro.name', in: ['fedora'] }, packages: ['message.new'] },
  {
    family: 'anitya',
    topic: 'anitya.project.version.update',
    packages: ['message.packages[distro=fedora].package_name', { path: 'packages[distro=fedora].package_name', when: { path: 'message', exists: false } }],
  },
  { family: 'anitya', topic: 'anitya.project.flag', packages: ['packages[distro=fedora].package_name'] },
  { family: 'anitya', topic: 'anitya.#', packages: [] },
];
