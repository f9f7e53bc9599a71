import type { JsonObject } from '@statbus/core';

/** One kind of event the demo imitates: its topic suffix, how common it is, and how to make a body. */
export interface DemoEvent {
  readonly suffix: string;
  readonly weight: number;
  body(pick: DemoPick): { body: JsonObject; users: string[]; packages: string[]; agent: string };
}

/** Random choices for the demo. */
export interface DemoPick {
  user(): string;
  pkg(): string;
  int(max: number): number;
  one<T>(items: readonly T[]): T;
}

const RELEASES = ['F41', 'F42', 'F43', 'EPEL-9', 'EPEL-10'] as const;
const BADGES = ['badge-off!', 'junior-tester', 'crypto-badger', 'macgyver', 'paranoid-panda'] as const;

/** What an organisation's services announce, roughly as often as Fedora's do. */
export const DEMO_EVENTS: readonly DemoEvent[] = [
  {
    suffix: 'buildsys.build.state.change',
    weight: 30,
    body: (pick) => {
      const [owner, name] = [pick.user(), pick.pkg()];
      return { body: { owner, name, version: `${pick.int(9) + 1}.${pick.int(20)}`, release: pick.one(RELEASES), state: pick.one([0, 1, 1, 1, 3]), build_id: 2_000_000 + pick.int(999_999) }, users: [owner], packages: [name], agent: owner };
    },
  },
  {
    suffix: 'bodhi.update.comment',
    weight: 12,
    body: (pick) => {
      const [author, submitter, name] = [pick.user(), pick.user(), pick.pkg()];
      return { body: { comment: { author, text: pick.one(['Works for me', 'Fails to start on aarch64', 'LGTM', 'Regression in 2.3']), karma: pick.one([-1, 0, 1, 1]) }, update: { alias: `FEDORA-2026-${pick.int(0xffffff).toString(16)}`, user: submitter, builds: [name] } }, users: [author, submitter], packages: [name], agent: author };
    },
  },
  {
    suffix: 'bodhi.update.request.testing',
    weight: 5,
    body: (pick) => {
      const [user, name] = [pick.user(), pick.pkg()];
      return { body: { update: { alias: `FEDORA-2026-${pick.int(0xffffff).toString(16)}`, user, release: pick.one(RELEASES), builds: [name] } }, users: [user], packages: [name], agent: user };
    },
  },
  {
    suffix: 'git.receive',
    weight: 25,
    body: (pick) => {
      const [user, name] = [pick.user(), pick.pkg()];
      return { body: { commit: { username: user, repo: name, branch: pick.one(['rawhide', 'f43', 'epel10']), rev: pick.int(0xffffffff).toString(16).padStart(8, '0'), message: pick.one(['Rebuild for new libfoo', 'Update to latest upstream', 'Fix FTBFS']) } }, users: [user], packages: [name], agent: user };
    },
  },
  {
    suffix: 'copr.build.end',
    weight: 10,
    body: (pick) => {
      const [owner, name] = [pick.user(), pick.pkg()];
      return { body: { owner, copr: `${name}-nightly`, build: 8_000_000 + pick.int(99_999), status: pick.one([0, 1, 1, 1]), chroot: pick.one(['fedora-43-x86_64', 'epel-10-aarch64']) }, users: [owner], packages: [name], agent: owner };
    },
  },
  {
    suffix: 'fas.user.create',
    weight: 2,
    body: (pick) => {
      const user = pick.user();
      return { body: { user }, users: [user], packages: [], agent: user };
    },
  },
  {
    suffix: 'fas.group.member.sponsor',
    weight: 2,
    body: (pick) => {
      const [user, agent] = [pick.user(), pick.user()];
      return { body: { user, agent, group: pick.one(['packager', 'qa', 'infra', 'design']) }, users: [user, agent], packages: [], agent };
    },
  },
  {
    suffix: 'fedbadges.badge.award',
    weight: 6,
    body: (pick) => {
      const user = pick.user();
      return { body: { user: { username: user }, badge: { name: pick.one(BADGES) } }, users: [user], packages: [], agent: user };
    },
  },
  {
    suffix: 'wiki.article.edit',
    weight: 4,
    body: (pick) => {
      const user = pick.user();
      return { body: { user, title: pick.one(['Changes/Python3.14', 'QA:Testcase_boot', 'Infrastructure/Outages']), minor_edit: pick.one([true, false]) }, users: [user], packages: [], agent: user };
    },
  },
];

/** Users and packages the demo's messages concern. */
export const DEMO_USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'mallory', 'niaj', 'olivia', 'peggy', 'rupert', 'sybil', 'trent', 'victor', 'walter', 'zoe'] as const;
export const DEMO_PACKAGES = ['kernel', 'python3', 'glibc', 'gcc', 'firefox', 'systemd', 'rpm', 'dnf', 'vim', 'emacs', 'git', 'openssl', 'nodejs', 'rust', 'golang', 'podman', 'gnome-shell', 'mesa', 'curl', 'bash'] as const;
