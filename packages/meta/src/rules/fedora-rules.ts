import type { ExtractionRule } from '../extraction-rule.js';
import { BODHI_RULES, BUILDSYS_RULES, CI_RULES, TASKOTRON_RULES } from './build-rules.js';
import {
  ASKBOT_RULES,
  ELECTIONS_RULES,
  FMN_RULES,
  GITHUB_RULES,
  IRC_RULES,
  MAILMAN_RULES,
  MEETBOT_RULES,
  NUANCIER_RULES,
  TAGGER_RULES,
} from './community-rules.js';
import { GIT_RULES, PAGURE_RULES } from './forge-rules.js';
import {
  COMPOSE_RULES,
  FEDOCAL_RULES,
  HOTNESS_RULES,
  KERNELTEST_RULES,
  KOSCHEI_RULES,
  MDAPI_RULES,
  PKGDB_RULES,
  PLANET_RULES,
  QUIET_RULES,
  SUMMERSHUM_RULES,
  WIKI_RULES,
} from './service-rules.js';
import { ANITYA_RULES, BADGES_RULES, COPR_RULES, FAS_RULES } from './people-rules.js';

/** Every built-in fact, most frequent families first. */
export const FEDORA_RULES: readonly ExtractionRule[] = [
  ...BUILDSYS_RULES,
  ...BODHI_RULES,
  ...GIT_RULES,
  ...PAGURE_RULES,
  ...COPR_RULES,
  ...FAS_RULES,
  ...BADGES_RULES,
  ...ANITYA_RULES,
  ...MEETBOT_RULES,
  ...TAGGER_RULES,
  ...MAILMAN_RULES,
  ...GITHUB_RULES,
  ...PKGDB_RULES,
  ...COMPOSE_RULES,
  ...PLANET_RULES,
  ...WIKI_RULES,
  ...HOTNESS_RULES,
  ...KOSCHEI_RULES,
  ...KERNELTEST_RULES,
  ...FEDOCAL_RULES,
  ...CI_RULES,
  ...NUANCIER_RULES,
  ...FMN_RULES,
  ...SUMMERSHUM_RULES,
  ...MDAPI_RULES,
  ...QUIET_RULES,
  ...IRC_RULES,
  ...ASKBOT_RULES,
  ...ELECTIONS_RULES,
  ...TASKOTRON_RULES,
];
