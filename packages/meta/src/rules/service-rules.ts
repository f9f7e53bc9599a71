import type { ExtractionRule, ValueSource } from '../extraction-rule.js';

/** A package name at `path` whose namespace (at `namespacePath`) is `rpms` or not given. */
const rpm = (path: string, namespacePath: string): ValueSource => ({ path, when: { path: namespacePath, in: ['rpms'], whenMissing: true } });

/** The package database (`pkgdb.*`): who acted and whom an ACL names; the RPM packages concerned. */
export const PKGDB_RULES: readonly ExtractionRule[] = [
  {
    family: 'pkgdb',
    topic: 'pkgdb.#',
    users: [
      { path: 'agent', except: ['orphan'] },
      { path: 'agent.username', except: ['orphan'] },
      { path: 'acl.fas_name', except: ['orphan'] },
      { path: 'username', except: ['orphan'] },
    ],
    packages: [
      rpm('package_listing.package.name', 'package_listing.package.namespace'),
      rpm('package_listings[].package.name', 'package_listings[].package.namespace'),
      rpm('package', 'namespace'),
      rpm('package.name', 'package.namespace'),
      rpm('acl.packagelist.package.name', 'acl.packagelist.package.namespace'),
      rpm('info.pkg_name', 'info.pkg_namespace'),
      'action.info.pkg_name',
      rpm('action.package.name', 'action.package.namespace'),
    ],
  },
];

/** Composes (pungi, `compose.*`, `pungi.*`): no person, no package. */
export const COMPOSE_RULES: readonly ExtractionRule[] = [
  { family: 'compose', topic: 'compose.#', users: [], packages: [] },
  { family: 'compose', topic: 'pungi.#', users: [], packages: [] },
];

/** Fedora Planet: the blogger, when the post names one. */
export const PLANET_RULES: readonly ExtractionRule[] = [{ family: 'planet', topic: 'planet.#', users: ['username'], packages: [] }];

/** The wiki: who edited or uploaded (wiki names are capitalised; FAS names are not). */
export const WIKI_RULES: readonly ExtractionRule[] = [
  { family: 'wiki', topic: 'wiki.#', users: [{ path: 'user', as: 'lower' }, { path: 'user_text', as: 'lower', fallback: true }], packages: [] },
];

/** the-new-hotness: the owner of the koji build that triggered it; the Fedora packages of the trigger. */
export const HOTNESS_RULES: readonly ExtractionRule[] = [
  {
    family: 'hotness',
    topic: 'hotness.#',
    users: [{ path: 'trigger.msg.owner', when: { path: 'trigger.topic', matches: 'buildsys\\.build' } }],
    packages: [
      { path: 'trigger.msg.message.packages[distro=fedora].package_name', when: { path: 'trigger.topic', matches: 'anitya' } },
      { path: 'trigger.msg.packages[distro=fedora].package_name', when: [{ path: 'trigger.topic', matches: 'anitya' }, { path: 'trigger.msg.message.packages', exists: false }] },
      { path: 'trigger.msg.package_listing.package.name', fallback: true },
      { path: 'trigger.msg.name', when: { path: 'trigger.topic', matches: 'buildsys\\.build' }, fallback: true },
      { path: 'trigger.msg.package.name', fallback: true },
    ],
  },
];

/** Koschei: the package whose state changed. */
export const KOSCHEI_RULES: readonly ExtractionRule[] = [
  { family: 'koschei', topic: 'koschei.package.#', users: [], packages: ['name'] },
  { family: 'koschei', topic: 'koschei.#', users: [], packages: [] },
];

/** Kernel tests: who ran or edited; always the kernel. */
export const KERNELTEST_RULES: readonly ExtractionRule[] = [{ family: 'kerneltest', topic: 'kerneltest.#', users: ['agent'], packages: [{ value: 'kernel' }] }];

/** The calendar (`fedocal.*`): who acted. */
export const FEDOCAL_RULES: readonly ExtractionRule[] = [{ family: 'fedocal', topic: 'fedocal.#', users: ['agent'], packages: [] }];

/** summershum (lookaside source hashes): who uploaded the source, and its package. */
export const SUMMERSHUM_RULES: readonly ExtractionRule[] = [
  { family: 'summershum', topic: 'summershum.#', users: ['original.agent'], packages: ['original.name'] },
];

/** Jenkins and release engineering's atomic checks: nobody and no package. */
export const QUIET_RULES: readonly ExtractionRule[] = [
  { family: 'jenkins', topic: 'jenkins.#', users: [], packages: [] },
  { family: 'releng', topic: 'releng.#', users: [], packages: [] },
];

/** mdapi (repository metadata): the packages that changed. */
export const MDAPI_RULES: readonly ExtractionRule[] = [
  {
    family: 'mdapi',
    topic: 'mdapi.#',
    users: [],
    packages: [
      'packages',
      // Older messages list differences per category: `[capability, …]` rows, or `[path, 'file', package]` for files.
      { path: 'differences.*.*[].0', as: 'capability', except: ['/*'] },
      { path: 'differences.files.*[].-1', as: 'capability' },
    ],
  },
];

/** Bugzilla: the FAS accounts behind the addresses on a bug (commenter, actor, creator, assignee, CCs); its component. */
export const BUGZILLA_RULES: readonly ExtractionRule[] = [
  {
    family: 'bugzilla',
    topic: 'bugzilla.#',
    users: ['comment.author', 'event.who', 'bug.creator', 'bug.assigned_to', 'bug.cc'].map((path) => ({ path, as: 'account' as const, except: ['*@lists.fedoraproject.org'] })),
    packages: [{ path: 'bug.component', except: ['Package Review'] }],
  },
];

/** Fedora Hosted trac: who acted, and who a page or ticket names (owner, reporter, CCs). */
export const TRAC_RULES: readonly ExtractionRule[] = [
  {
    family: 'trac',
    topic: 'trac.#',
    users: ['agent', 'page.author', 'ticket.owner', 'ticket.reporter', { path: 'ticket.cc', split: ',' }, 'commit.username'],
    packages: [],
  },
];

/** Infrastructure ansible runs: who ran the playbook. */
export const ANSIBLE_RULES: readonly ExtractionRule[] = [{ family: 'ansible', topic: 'ansible.#', users: ['userid'], packages: [] }];

/**
 * Smaller services: openQA comments (their author), translations (nobody), the infrastructure repos (who
 * pushed), ABRT crash reports (the package's maintainers and components), image and compose services (nobody).
 */
export const SMALL_SERVICE_RULES: readonly ExtractionRule[] = [
  { family: 'openqa', topic: 'openqa.#', users: ['user'], packages: [] },
  { family: 'zanata', topic: 'zanata.#', users: [], packages: [] },
  { family: 'infragit', topic: 'infragit.#', users: ['commit.username'], packages: [] },
  { family: 'faf', topic: 'faf.#', users: ['maintainers'], packages: ['components'] },
  { family: 'fedimg', topic: 'fedimg.#', users: [], packages: [] },
  { family: 'autocloud', topic: 'autocloud.#', users: [], packages: [] },
  { family: 'pdc', topic: 'pdc.#', users: [], packages: [] },
];
