import { ConfigError, type ConfigIssue, type JsonObject } from '@statbus/core';
import type { DerivedMeta, ExtractionRule, ExtractorOptions, ValueCondition, ValueSource, ValueTransform } from './extraction-rule.js';
import { pathSteps, readPath, stringsOf } from './read-path.js';
import { applyTransform } from './transforms.js';

const TRANSFORMS: ReadonlySet<ValueTransform> = new Set<ValueTransform>([
  'value', 'capability', 'lower', 'nvr', 'nvr-list', 'rpm-filename', 'dist-git', 'mentions', 'email', 'account', 'mail-address', 'nick', 'owner', 'project', 'url-user',
]);
const SOURCE_KEYS = new Set(['path', 'topicWords', 'value', 'as', 'split', 'when', 'fallback', 'except']);
const RULE_KEYS = new Set(['topic', 'when', 'users', 'packages', 'family']);
const CONDITION_KEYS = new Set(['path', 'in', 'notIn', 'matches', 'exists', 'whenMissing']);

interface CompiledCondition {
  readonly steps: readonly string[];
  readonly condition: ValueCondition;
  readonly pattern: RegExp | undefined;
}

interface CompiledSource {
  readonly read: (body: JsonObject, subject: readonly string[]) => string[];
  readonly transform: ValueTransform;
  readonly split: RegExp | undefined;
  readonly when: readonly CompiledCondition[];
  readonly fallback: boolean;
  readonly except: ReadonlySet<string>;
}

interface CompiledRule {
  readonly words: readonly string[];
  readonly when: readonly CompiledCondition[];
  readonly users: readonly CompiledSource[] | undefined;
  readonly packages: readonly CompiledSource[] | undefined;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** AMQP topic matching over words: `*` one word, `#` zero or more. */
function matchWords(pattern: readonly string[], words: readonly string[], p = 0, w = 0): boolean {
  if (p === pattern.length) return w === words.length;
  const head = pattern[p];
  if (head === '#') {
    for (let skip = w; skip <= words.length; skip += 1) if (matchWords(pattern, words, p + 1, skip)) return true;
    return false;
  }
  if (w === words.length) return false;
  return (head === '*' || head === words[w]) && matchWords(pattern, words, p + 1, w + 1);
}

function conditionHolds(compiled: CompiledCondition, body: JsonObject): boolean {
  const { condition } = compiled;
  const found = readPath(body, compiled.steps).find((value) => value !== null);
  if (condition.exists !== undefined && (found !== undefined) !== condition.exists) return false;
  const text = found === undefined ? undefined : typeof found === 'object' ? JSON.stringify(found) : String(found);
  const listed = (list: readonly (string | number | boolean | null)[]): boolean => list.some((item) => String(item).toLowerCase() === text?.toLowerCase());
  if (condition.in !== undefined && !(text === undefined ? (condition.whenMissing ?? false) : listed(condition.in))) return false;
  if (condition.notIn !== undefined && !(text === undefined ? (condition.whenMissing ?? true) : !listed(condition.notIn))) return false;
  if (compiled.pattern !== undefined && !(text === undefined ? (condition.whenMissing ?? false) : compiled.pattern.test(text))) return false;
  return true;
}

function excluded(except: ReadonlySet<string>, value: string): boolean {
  if (except.has(value)) return true;
  for (const entry of except) {
    if (entry.endsWith('*') && value.startsWith(entry.slice(0, -1))) return true;
    if (entry.startsWith('*') && value.endsWith(entry.slice(1))) return true;
  }
  return false;
}

function allHold(conditions: readonly CompiledCondition[], body: JsonObject): boolean {
  return conditions.every((condition) => conditionHolds(condition, body));
}

function compileConditions(value: unknown, where: string, issues: ConfigIssue[]): CompiledCondition[] {
  if (value === undefined) return [];
  const list = Array.isArray(value) ? (value as unknown[]) : [value];
  const out: CompiledCondition[] = [];
  list.forEach((item, index) => {
    const at = Array.isArray(value) ? `${where}[${index}]` : where;
    if (!isObject(item) || typeof item['path'] !== 'string' || item['path'] === '') {
      issues.push({ path: at, message: 'a condition needs a non-empty `path`' });
      return;
    }
    for (const key of Object.keys(item)) if (!CONDITION_KEYS.has(key)) issues.push({ path: `${at}.${key}`, message: 'unknown key' });
    let pattern: RegExp | undefined;
    const matches = item['matches'];
    if (typeof matches === 'string') {
      try {
        pattern = new RegExp(matches, 'u');
      } catch (error) {
        issues.push({ path: `${at}.matches`, message: `not a regular expression: ${(error as Error).message}` });
      }
    } else if (matches !== undefined) {
      issues.push({ path: `${at}.matches`, message: 'must be a regular expression (a string)' });
    }
    out.push({ steps: pathSteps(item['path']), condition: item as unknown as ValueCondition, pattern });
  });
  return out;
}

function compileSource(value: unknown, where: string, issues: ConfigIssue[]): CompiledSource | undefined {
  const source: ValueSource | undefined = typeof value === 'string' ? { path: value } : isObject(value) ? value : undefined;
  if (source === undefined) {
    issues.push({ path: where, message: 'a source is a path string or an object with `path`, `topicWords` or `value`' });
    return undefined;
  }
  for (const key of Object.keys(source)) if (!SOURCE_KEYS.has(key)) issues.push({ path: `${where}.${key}`, message: 'unknown key' });
  const kinds = [source.path, source.topicWords, source.value].filter((kind) => kind !== undefined).length;
  if (kinds !== 1) issues.push({ path: where, message: 'give exactly one of `path`, `topicWords`, `value`' });
  const transform = source.as ?? 'value';
  if (!TRANSFORMS.has(transform)) issues.push({ path: `${where}.as`, message: `unknown transform "${String(transform)}"; one of ${[...TRANSFORMS].join(', ')}` });
  let split: RegExp | undefined;
  if (source.split !== undefined) {
    try {
      split = new RegExp(source.split, 'u');
    } catch (error) {
      issues.push({ path: `${where}.split`, message: `not a regular expression: ${(error as Error).message}` });
    }
  }
  let read: CompiledSource['read'];
  if (source.path !== undefined) {
    const steps = pathSteps(source.path);
    read = (body) => stringsOf(readPath(body, steps));
  } else if (source.topicWords !== undefined) {
    const [from, to] = source.topicWords;
    read = (_body, subject) => {
      const words = subject.slice(from, to);
      return words.length === 0 ? [] : [words.join('.')];
    };
  } else {
    const constant = source.value ?? '';
    read = () => [constant];
  }
  return {
    read,
    transform,
    split,
    when: compileConditions(source.when, `${where}.when`, issues),
    fallback: source.fallback ?? false,
    except: new Set(source.except ?? []),
  };
}

function compileSources(value: unknown, where: string, issues: ConfigIssue[]): CompiledSource[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) {
    issues.push({ path: where, message: 'must be a list of sources' });
    return undefined;
  }
  return value.flatMap((item, index) => compileSource(item, `${where}[${index}]`, issues) ?? []);
}

/** The words of a topic after `<prefix>.<env>.` (the configured prefix), else after its third word. */
export function topicSubject(topic: string, prefix?: string): string[] {
  const words = topic.split('.');
  if (prefix !== undefined && prefix !== '' && topic.startsWith(`${prefix}.`)) return words.slice(prefix.split('.').length + 1);
  return words.slice(3);
}

/**
 * A compiled table of {@link ExtractionRule}s. Construction checks every rule and throws one
 * `ConfigError` (`ERR_CONFIG`) listing every problem (unknown keys, transforms, bad patterns).
 */
export class RuleTable {
  private readonly rules: readonly CompiledRule[];
  private readonly identities: Readonly<Record<string, string>>;
  private readonly prefix: string | undefined;

  constructor(rules: readonly ExtractionRule[], options: ExtractorOptions = {}) {
    const issues: ConfigIssue[] = [];
    this.rules = rules.flatMap((rule, index) => {
      const where = `rules[${index}]`;
      if (!isObject(rule) || typeof rule.topic !== 'string' || rule.topic.trim() === '') {
        issues.push({ path: where, message: 'a rule needs a non-empty `topic` pattern' });
        return [];
      }
      for (const key of Object.keys(rule)) if (!RULE_KEYS.has(key)) issues.push({ path: `${where}.${key}`, message: 'unknown key' });
      const words = rule.topic.split('.');
      if (words.some((word) => word === '' || (word.length > 1 && /[*#]/u.test(word)))) {
        issues.push({ path: `${where}.topic`, message: `"${rule.topic}" is not a pattern: words separated by dots, '*' or '#' alone as a word` });
      }
      return [{
        words,
        when: compileConditions(rule.when, `${where}.when`, issues),
        users: compileSources(rule.users, `${where}.users`, issues),
        packages: compileSources(rule.packages, `${where}.packages`, issues),
      }];
    });
    if (issues.length > 0) throw new ConfigError(issues);
    this.identities = options.identities ?? {};
    this.prefix = options.prefix;
  }

  /** Users and packages of a message with this topic and body; empty lists where no rule matched. */
  derive(topic: string, body: JsonObject): DerivedMeta {
    const subject = topicSubject(topic, this.prefix);
    let users: string[] | undefined;
    let packages: string[] | undefined;
    const head = subject[0];
    for (const rule of this.rules) {
      if (users !== undefined && packages !== undefined) break;
      const first = rule.words[0];
      // Most rules name their category: skip the others without matching the whole pattern.
      if (first !== head && first !== '*' && first !== '#') continue;
      if (!matchWords(rule.words, subject) || !allHold(rule.when, body)) continue;
      if (users === undefined && rule.users !== undefined) users = this.collect(rule.users, body, subject);
      if (packages === undefined && rule.packages !== undefined) packages = this.collect(rule.packages, body, subject);
    }
    return { users: users ?? [], packages: packages ?? [], matched: { users: users !== undefined, packages: packages !== undefined } };
  }

  private collect(sources: readonly CompiledSource[], body: JsonObject, subject: readonly string[]): string[] {
    const found = new Set<string>();
    for (const source of sources) {
      if (source.fallback && found.size > 0) continue;
      if (!allHold(source.when, body)) continue;
      for (const raw of source.read(body, subject)) {
        const pieces = source.split === undefined ? [raw] : raw.split(source.split);
        for (const piece of pieces) {
          for (const value of applyTransform(source.transform, piece, this.identities)) {
            if (value !== '' && !excluded(source.except, value)) found.add(value);
          }
        }
      }
    }
    return [...found];
  }
}
