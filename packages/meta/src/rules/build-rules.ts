import type { ExtractionRule } from '../extraction-rule.js';

const owner = { path: 'owner' };

/** Koji (`buildsys.*`): the build's owner and who tagged it; the build's package name. */
export const BUILDSYS_RULES: readonly ExtractionRule[] = [
  { family: 'buildsys', topic: 'buildsys.tag', users: [owner, 'user'], packages: ['name'] },
  { family: 'buildsys', topic: 'buildsys.untag', users: [owner, 'user'], packages: ['name'] },
  { family: 'buildsys', topic: 'buildsys.build.state.change', users: [owner], packages: ['name'] },
  // Scratch builds belong to no package.
  { family: 'buildsys', topic: 'buildsys.task.state.change', users: [owner], packages: [] },
  { family: 'buildsys', topic: 'buildsys.package.list.change', users: [], packages: ['package'] },
  { family: 'buildsys', topic: 'buildsys.rpm.sign', users: [], packages: ['info.name', { path: 'rpm.name', fallback: true }] },
  { family: 'buildsys', topic: 'buildsys.#', users: [], packages: [] },
];

/** Bodhi: who submitted, commented (and whom a comment mentions), who acted; the update's builds. */
export const BODHI_RULES: readonly ExtractionRule[] = [
  {
    family: 'bodhi',
    topic: 'bodhi.#',
    users: [
      'update.submitter',
      'update.submitter.name',
      'override.submitter',
      'override.submitter.name',
      'comment.author',
      // fedora-messaging's bodhi comments name the commenter as a user object.
      { path: 'comment.user.name', when: { path: 'comment.author', exists: false } },
      { path: 'comment.text', as: 'mentions' },
      'agent',
    ],
  },
  {
    family: 'bodhi',
    topic: 'bodhi.update.comment',
    packages: [
      { path: 'comment.update_title', as: 'nvr-list' },
      { path: 'comment.update.title', as: 'nvr-list', fallback: true },
      { path: 'comment.update.builds[].nvr', as: 'nvr', fallback: true },
    ],
  },
  {
    family: 'bodhi',
    topic: 'bodhi.buildroot_override.#',
    packages: [{ path: 'override.build', as: 'nvr-list' }, { path: 'override.build.nvr', as: 'nvr-list' }, { path: 'override.nvr', as: 'nvr', fallback: true }],
  },
  { family: 'bodhi', topic: 'bodhi.stack.#', packages: ['stack.packages[].name'] },
  { family: 'bodhi', topic: 'bodhi.masher.start', packages: [{ path: 'updates', as: 'nvr-list' }] },
  {
    family: 'bodhi',
    topic: 'bodhi.#',
    when: { path: 'update', exists: true },
    packages: [{ path: 'update.title', as: 'nvr-list' }, { path: 'update.builds[].nvr', as: 'nvr', fallback: true }],
  },
  { family: 'bodhi', topic: 'bodhi.#', packages: [] },
];

/**
 * CI: CentOS CI pipelines (`ci.pipeline.*`, `allpackages.pipeline.*`, `container.pipeline.*`) name who
 * triggered them and no package; Fedora CI's messages (`ci.koji-build.*`, `ci.dist-git-pr.*`,
 * fedora-messaging's ci schema) name the artifact's issuer and component.
 */
export const CI_RULES: readonly ExtractionRule[] = [
  { family: 'ci', topic: 'ci.pipeline.#', users: ['username'], packages: [] },
  { family: 'ci', topic: 'allpackages.pipeline.#', users: ['username'], packages: [] },
  { family: 'ci', topic: 'container.pipeline.#', users: ['username'], packages: [] },
  {
    family: 'ci',
    topic: 'ci.#',
    users: ['artifact.issuer', { path: 'username', fallback: true }],
    packages: [
      { path: 'artifact.component', when: { path: 'artifact.type', notIn: ['fedora-module', 'productmd-compose', 'container-image'], whenMissing: true } },
      { path: 'artifact.nvr', as: 'nvr', fallback: true, when: { path: 'artifact.type', in: ['koji-build', 'brew-build'] } },
      { path: 'artifact.builds[].nvr', as: 'nvr', fallback: true, when: { path: 'artifact.type', in: ['koji-build-group', 'redhat-build-group'] } },
    ],
  },
];

/** Taskotron results: the package of a koji build the task checked (a bodhi update's packages need bodhi itself). */
export const TASKOTRON_RULES: readonly ExtractionRule[] = [
  { family: 'taskotron', topic: 'taskotron.#', users: [], packages: [{ path: 'task.item', as: 'nvr', when: { path: 'task.type', in: ['koji_build'] } }] },
];

/** The factory-2 services: module builds and composes (their owner), waivers (who waived), gating decisions (the koji builds decided on). */
export const FACTORY_RULES: readonly ExtractionRule[] = [
  { family: 'mbs', topic: 'mbs.#', users: ['owner'], packages: [] },
  { family: 'odcs', topic: 'odcs.#', users: ['compose.owner'], packages: [] },
  { family: 'waiverdb', topic: 'waiverdb.#', users: ['username'], packages: [] },
  { family: 'greenwave', topic: 'greenwave.#', users: [], packages: [{ path: 'subject[type=koji_build].item', as: 'nvr' }] },
];
