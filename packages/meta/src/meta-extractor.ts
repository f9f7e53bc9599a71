import type { Envelope, JsonObject, MessageExtractor } from '@statbus/core';
import type { DerivedMeta, ExtractionRule, ExtractorOptions } from './extraction-rule.js';
import { RuleTable } from './rule-table.js';
import { FEDORA_RULES } from './rules/fedora-rules.js';

/** Options of {@link createMetaExtractor}. */
export interface MetaExtractorOptions extends ExtractorOptions {
  /** Rules tried before the built-in ones (a user's own facts win over Fedora's). */
  readonly rules?: readonly ExtractionRule[];
  /** `false` leaves Fedora's built-in rules out: only `rules` are used. Default true. */
  readonly builtIn?: boolean;
}

/**
 * Finds users and packages in messages by a table of facts: the caller's `rules` first, then Fedora's
 * built-in ones ({@link FEDORA_RULES}). Also a core `MessageExtractor` (patterns `#`), so the archiver,
 * `db import` and the bridge take it as it is.
 */
export class MetaExtractor implements MessageExtractor {
  readonly patterns: readonly string[] = ['#'];
  private readonly table: RuleTable;
  /** The last message derived: `archiveMessage` asks for its users, then for its packages. */
  private last: { readonly topic: string; readonly body: JsonObject; readonly derived: DerivedMeta } | undefined;

  /** @throws ConfigError (`ERR_CONFIG`) listing every problem of the rules. */
  constructor(options: MetaExtractorOptions = {}) {
    this.table = new RuleTable([...(options.rules ?? []), ...(options.builtIn === false ? [] : FEDORA_RULES)], options);
  }

  /** Users and packages of a message with this topic and body. Never throws on any body. */
  derive(topic: string, body: JsonObject): DerivedMeta {
    return this.table.derive(topic, body);
  }

  users(envelope: Envelope): readonly string[] {
    return this.derived(envelope).users;
  }

  packages(envelope: Envelope): readonly string[] {
    return this.derived(envelope).packages;
  }

  /** One derivation for both questions about the same message (the same body object and topic). */
  private derived({ topic, body }: Envelope): DerivedMeta {
    const last = this.last;
    if (last !== undefined && last.body === body && last.topic === topic) return last.derived;
    const derived = this.table.derive(topic, body);
    this.last = { topic, body, derived };
    return derived;
  }
}

/** A {@link MetaExtractor}. */
export function createMetaExtractor(options: MetaExtractorOptions = {}): MetaExtractor {
  return new MetaExtractor(options);
}

let defaultExtractor: MetaExtractor | undefined;

/**
 * The extractor set statbus derives users and packages with by default (Fedora's built-in facts), as core
 * `MessageExtractor`s for `archiveMessage`, the archiver's `extractors` option and `importRecord`.
 */
export function defaultExtractors(options: MetaExtractorOptions = {}): MessageExtractor[] {
  if (Object.keys(options).length > 0) return [new MetaExtractor(options)];
  defaultExtractor ??= new MetaExtractor();
  return [defaultExtractor];
}

/** Users and packages of one message by the built-in facts (plus `options.rules`). */
export function deriveUsersAndPackages(topic: string, body: JsonObject, options: MetaExtractorOptions = {}): { users: string[]; packages: string[] } {
  const extractor = Object.keys(options).length > 0 ? new MetaExtractor(options) : (defaultExtractor ??= new MetaExtractor());
  const derived = extractor.derive(topic, body);
  return { users: [...derived.users], packages: [...derived.packages] };
}
