import type { ExtractionRule } from '../extraction-rule.js';
import { BODHI_RULES, BUILDSYS_RULES } from './build-rules.js';
import { GIT_RULES, PAGURE_RULES } from './forge-rules.js';

/** Every built-in fact, most frequent families first. */
export const FEDORA_RULES: readonly ExtractionRule[] = [...BUILDSYS_RULES, ...BODHI_RULES, ...GIT_RULES, ...PAGURE_RULES];
