export type {
  DerivedMeta,
  ExtractionRule,
  ExtractorOptions,
  ValueCondition,
  ValueSource,
  ValueTransform,
} from './extraction-rule.js';
export { loadMetaRulesFile } from './load-meta-rules.js';
export { MetaExtractor, createMetaExtractor, defaultExtractors, deriveUsersAndPackages } from './meta-extractor.js';
export type { MetaExtractorOptions } from './meta-extractor.js';
