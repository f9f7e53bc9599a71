import type { ExtractionRule } from '../extraction-rule.js';

/** A dist-git message names a package only in the RPM namespaces (or when it names no namespace). */
const notRpmNamespace = { path: 'namespace', notIn: ['rpms', 'rpms-checks'], whenMissing: false };

/** dist-git (`git.*`): who pushed or acted; the repository pushed to. Legacy topics carry the repository in the topic. */
export const GIT_RULES: readonly ExtractionRule[] = [
  { family: 'git', topic: 'git.#', users: ['agent', { path: 'commit.username', fallback: true }] },
  { family: 'git', topic: 'git.#', when: notRpmNamespace, packages: [] },
  { family: 'git', topic: 'git.receive.#', packages: ['commit.repo', { topicWords: [2, -1], fallback: true }] },
  { family: 'git', topic: 'git.branch.#', packages: ['name', { topicWords: [2, -1], fallback: true }] },
  { family: 'git', topic: 'git.pkgdb2branch.complete', packages: ['unbranchedPackages', 'branchedPackages'] },
  { family: 'git', topic: 'git.lookaside.#', packages: ['name'] },
  { family: 'git', topic: 'git.#', packages: [] },
];

/** Pagure (pagure.io and dist-git's pagure): who acted, else who pushed (by email). */
export const PAGURE_RULES: readonly ExtractionRule[] = [
  { family: 'pagure', topic: 'pagure.git.receive', users: ['agent', { path: 'commit.email', as: 'email', fallback: true }] },
  { family: 'pagure', topic: 'pagure.#', users: ['agent'], packages: [] },
];
