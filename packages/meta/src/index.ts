export type { DerivedMeta, ExtractionRule, ExtractorOptions, ValueCondition, ValueSource, ValueTransform } from './extraction-rule.js';
export { loadMetaRulesFile, parseMetaRules } from './load-meta-rules.js';
export { MetaExtractor, createMetaExtractor, defaultExtractors, deriveUsersAndPackages } from './meta-extractor.js';
export type { MetaExtractorOptions } from './meta-extractor.js';
export { RuleTable, topicSubject } from './rule-table.js';
export { FEDORA_RULES } from './rules/fedora-rules.js';
export { nameOfNvr, nameOfRpmFilename, packageOfDistGitPath } from './transforms.js';
