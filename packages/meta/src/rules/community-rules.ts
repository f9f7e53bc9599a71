import type { ExtractionRule } from '../extraction-rule.js';

/** Meetbot (zodbot's meetings): every attendee but the bot, by FAS name. */
export const MEETBOT_RULES: readonly ExtractionRule[] = [
  { family: 'meetbot', topic: 'meetbot.#', users: [{ path: 'attendees.~', as: 'nick', except: ['zodbot'] }, { path: 'attendees[]', as: 'nick', except: ['zodbot'] }], packages: [] },
];

/** Fedora Tagger: who voted, rated or declared usage; on which package (old messages: `{package: {name: …}}` keyed by name). */
export const TAGGER_RULES: readonly ExtractionRule[] = [
  { family: 'fedoratagger', topic: 'fedoratagger.tag.#', users: [{ path: 'vote.user.username', except: ['anonymous'] }], packages: ['vote.tag.package', 'vote.tag.package.~'] },
  { family: 'fedoratagger', topic: 'fedoratagger.rating.update', users: [{ path: 'rating.user.username', except: ['anonymous'] }], packages: ['rating.package.name'] },
  { family: 'fedoratagger', topic: 'fedoratagger.usage.toggle', users: [{ path: 'user.username', except: ['anonymous'] }], packages: ['package.name'] },
  { family: 'fedoratagger', topic: 'fedoratagger.user.rank.update', users: ['user.username'], packages: [] },
  { family: 'fedoratagger', topic: 'fedoratagger.#', users: [], packages: [] },
];

/** GitHub (github2fedmsg): the FAS accounts of the GitHub users involved, never an organisation. */
export const GITHUB_RULES: readonly ExtractionRule[] = [
  { family: 'github', topic: 'github.#', users: [{ path: 'fas_usernames.*', except: ['github_org_*'] }], packages: [] },
];

/** Mailing lists (Mailman 3 / HyperKitty): the sender, when FAS knows the address. */
export const MAILMAN_RULES: readonly ExtractionRule[] = [
  { family: 'mailman', topic: 'mailman.#', users: [{ path: 'msg.from', as: 'mail-address' }], packages: [] },
];

/** Nuancier (wallpaper elections): who acted and whose candidate it is. */
export const NUANCIER_RULES: readonly ExtractionRule[] = [
  { family: 'nuancier', topic: 'nuancier.#', users: ['agent', 'candidate.submitter'], packages: [] },
];

/** FMN (notifications): the person whose preferences changed, named by their FAS OpenID. */
export const FMN_RULES: readonly ExtractionRule[] = [{ family: 'fmn', topic: 'fmn.#', users: [{ path: 'openid', as: 'account' }], packages: [] }];

/** IRC karma (`irc.karma`): who gave it and who got it. */
export const IRC_RULES: readonly ExtractionRule[] = [{ family: 'irc', topic: 'irc.#', users: ['agent', 'recipient'], packages: [] }];

/** Ask Fedora (askbot): who posted, and who a post newly mentions. */
export const ASKBOT_RULES: readonly ExtractionRule[] = [
  { family: 'askbot', topic: 'askbot.#', users: ['agent', 'newly_mentioned_users'], packages: [] },
];

/** Elections: who acted (old messages `agent`, newer `fas_user`). */
export const ELECTIONS_RULES: readonly ExtractionRule[] = [
  { family: 'fedora_elections', topic: 'fedora_elections.#', users: ['agent', { path: 'fas_user', when: { path: 'agent', exists: false } }], packages: [] },
];
