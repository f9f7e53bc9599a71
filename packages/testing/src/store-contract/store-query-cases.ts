import type { MessageQuery } from '@statbus/core';
import { FIXTURE_PREFIX, type StoreFixture } from './store-fixture.js';

/** One query of the contract suite, named for the test title. */
export interface StoreQueryCase {
  readonly name: string;
  readonly query: MessageQuery;
}

const DAY = 24 * 3600 * 1000;
const P = FIXTURE_PREFIX;

/**
 * The queries the contract suite checks against {@link referenceFind}: every filter, its `not` form and
 * combinations, both orders, time bounds, `delta` and offset pages. Times are taken from the fixture, so
 * bounds fall exactly on message times (start inclusive, end exclusive must both be exercised).
 */
export function storeQueryCases(fixture: StoreFixture): StoreQueryCase[] {
  const sorted = [...fixture.messages].sort((a, b) => a.envelope.time - b.envelope.time);
  const timeAt = (fraction: number): number => sorted[Math.floor(fraction * (sorted.length - 1))]?.envelope.time ?? fixture.first;
  const start = timeAt(1 / 3);
  const end = timeAt(2 / 3);
  const [u1 = 'adamw', u2 = 'kevin', u3 = 'nirik'] = fixture.users;
  const [p1 = 'kernel', p2 = 'firefox'] = fixture.packages;
  const cases: StoreQueryCase[] = [
    { name: 'no filter (newest first)', query: {} },
    { name: 'no filter, ascending', query: { order: 'asc' } },
    { name: 'no filter, 1000 rows', query: { rowsPerPage: 1000 } },
    { name: 'empty lists (no filter)', query: { topics: [], notUsers: [] } },
    { name: 'start only (inclusive)', query: { start } },
    { name: 'end only (exclusive)', query: { end, order: 'asc' } },
    { name: 'start and end', query: { start, end, rowsPerPage: 100 } },
    { name: 'start equal to end (empty)', query: { start, end: start } },
    { name: 'delta before end', query: { end, delta: 7 * DAY } },
    { name: 'delta after start', query: { start, delta: 3 * DAY, order: 'asc' } },
    { name: 'delta only, covering the whole fixture', query: { delta: 100 * 365 * DAY } },
    { name: 'delta only, the last minute (nothing)', query: { delta: 60_000 } },
    { name: 'one topic', query: { topics: [`${P}.bodhi.update.comment`] } },
    { name: 'two topics', query: { topics: [`${P}.bodhi.update.comment`, `${P}.koji.tag`], rowsPerPage: 200 } },
    { name: 'topic pattern with #', query: { topics: [`${P}.koji.#`] } },
    { name: 'topic pattern with *', query: { topics: [`${P}.*.build.*`] } },
    { name: 'topic pattern starting with #', query: { topics: ['#.comment'] } },
    { name: 'topic pattern * in the middle', query: { topics: [`${P}.pagure.*.comment.added`] } },
    { name: 'topic pattern and exact topic', query: { topics: [`${P}.copr.#`, `${P}.fas.user.create`] } },
    { name: 'topic pattern # alone', query: { topics: ['#'], rowsPerPage: 50 } },
    { name: 'topic pattern matching nothing', query: { topics: ['org.centos.#'] } },
    { name: 'notTopics exact', query: { notTopics: [`${P}.bodhi.update.comment`] } },
    { name: 'notTopics pattern', query: { notTopics: [`${P}.koji.#`, `#.start`] } },
    { name: 'one category', query: { categories: ['bodhi'] } },
    { name: 'two categories', query: { categories: ['copr', 'badges'], order: 'asc' } },
    { name: 'notCategories', query: { notCategories: ['koji', 'bodhi', 'pagure'] } },
    { name: 'one user', query: { users: [u1] } },
    { name: 'two users', query: { users: [u1, u2], rowsPerPage: 300 } },
    { name: 'unknown user', query: { users: ['nobody-at-all'] } },
    { name: 'notUsers', query: { notUsers: [u1, u2, u3] } },
    { name: 'one package', query: { packages: [p1] } },
    { name: 'two packages', query: { packages: [p1, p2], order: 'asc' } },
    { name: 'notPackages', query: { notPackages: [p1] } },
    { name: 'agents', query: { agents: [u1, u3] } },
    { name: 'notAgents (messages without agent kept)', query: { notAgents: [u1], rowsPerPage: 500 } },
    { name: 'contains a word', query: { contains: ['rawhide'] } },
    { name: 'contains, case-sensitive by default (no match)', query: { contains: ['lgtm'] } },
    { name: 'contains, case-sensitive by default', query: { contains: ['LGTM'] } },
    { name: 'contains, case-insensitive', query: { contains: ['lgtm'], containsCase: 'insensitive' } },
    { name: 'contains, upper-case needle, case-insensitive', query: { contains: ['WORKS FOR'], containsCase: 'insensitive' } },
    { name: 'contains, upper-case needle', query: { contains: ['WORKS FOR'] } },
    { name: 'contains non-ASCII', query: { contains: ['Straße'] } },
    { name: 'contains non-ASCII, case-insensitive', query: { contains: ['STRAßE'], containsCase: 'insensitive' } },
    { name: 'contains non-ASCII upper case', query: { contains: ['ÉTÉ'] } },
    { name: 'contains non-ASCII lower case, case-insensitive', query: { contains: ['été'], containsCase: 'insensitive' } },
    { name: 'contains CJK', query: { contains: ['日本語'] } },
    { name: 'contains a 2-character needle', query: { contains: ['ok'] } },
    { name: 'contains a 1-character non-ASCII needle', query: { contains: ['é'] } },
    { name: 'contains LIKE wildcards literally', query: { contains: ['50%'] } },
    { name: 'contains an underscore literally', query: { contains: ['r_b'] } },
    { name: 'contains a double quote', query: { contains: ['"quoted'] } },
    { name: 'contains JSON text (key and value)', query: { contains: ['"release":"f40"'] } },
    { name: 'contains two needles (OR)', query: { contains: ['CVE-2024', 'needs rebase'] } },
    { name: 'contains two needles (OR), case-insensitive', query: { contains: ['cve-2024', 'NEEDS REBASE'], containsCase: 'insensitive' } },
    { name: 'contains a long and a short needle (OR)', query: { contains: ['retrigger', 'ok'] } },
    { name: 'contains nothing matching', query: { contains: ['no such text anywhere'] } },
    { name: 'notContains', query: { notContains: ['LGTM', 'Karma'] } },
    { name: 'notContains, case-insensitive', query: { notContains: ['lgtm', 'karma'], containsCase: 'insensitive' } },
    { name: 'notContains, case-sensitive by default (excludes nothing)', query: { notContains: ['lgtm', 'karma'] } },
    { name: 'notContains a short needle', query: { notContains: ['ok'] } },
    { name: 'category and user in a window', query: { categories: ['bodhi', 'koji'], users: [u2], start, end } },
    { name: 'pattern, notUsers and contains', query: { topics: [`${P}.*.update.#`], notUsers: [u1], contains: ['f40'] } },
    { name: 'package and notCategories ascending', query: { packages: [p2], notCategories: ['copr'], order: 'asc' } },
    { name: 'user and contains, pages of 3', query: { users: [u1], contains: ['rawhide'], rowsPerPage: 3 } },
    { name: 'user, categories and notPackages, page 3 of 4 rows', query: { users: [u1], categories: ['koji', 'bodhi'], notPackages: [p1], rowsPerPage: 4, page: 3 } },
    {
      name: 'every not form together',
      query: {
        notTopics: [`${P}.bodhi.update.comment`],
        notCategories: ['badges'],
        notUsers: [u3],
        notPackages: [p2],
        notAgents: [u2],
        notContains: ['rawhide'],
        rowsPerPage: 100,
      },
    },
    {
      name: 'every filter together',
      query: { start: fixture.first, end, topics: ['#'], categories: ['koji', 'copr', 'pagure'], users: [u1, u2, u3], packages: fixture.packages.slice(0, 15), contains: ['f4'] },
    },
    { name: 'page 3 of 50', query: { categories: ['koji'], page: 3, rowsPerPage: 50 } },
    { name: 'page 2 ascending with a window', query: { start, end, order: 'asc', page: 2, rowsPerPage: 40 } },
    { name: 'page past the end', query: { categories: ['badges'], page: 100, rowsPerPage: 100 } },
    { name: 'one row per page, page 7', query: { users: [u2], page: 7, rowsPerPage: 1 } },
  ];
  return cases;
}
