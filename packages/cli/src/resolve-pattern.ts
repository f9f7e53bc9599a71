import { TopicError, validatePattern, type StatbusConfig } from '@statbus/core';
import { CliError } from './cli-error.js';

/**
 * The one rule of `--topic` on every command that reads topics (`tail`, `hub`, `dump`, `latest`, `stats`,
 * `replay`): a value V matches the topics V matches as given (a full topic or pattern, under any prefix)
 * and the topics `<topic_prefix>.<environment>.V` matches (the short form). When V already starts with
 * `<topic_prefix>.<environment>.`, or starts with `#` (which matches under every prefix), V alone is used.
 *
 * `bodhi.update.comment` → `bodhi.update.comment`, `org.statbus.dev.bodhi.update.comment`;
 * `org.fedoraproject.prod.git.receive` → itself and `org.statbus.dev.org.fedoraproject.prod.git.receive`.
 *
 * @throws {TopicError} when V is not a valid pattern.
 */
export function topicPatterns(config: Pick<StatbusConfig, 'topic_prefix' | 'environment'>, value: string): string[] {
  validatePattern(value);
  const head = `${config.topic_prefix}.${config.environment}.`;
  if (value.startsWith(head) || value === '#' || value.startsWith('#.')) return [value];
  const short = `${head}${value}`;
  validatePattern(short);
  return [value, short];
}

/**
 * {@link topicPatterns} of several `--topic` values, each pattern once, in order.
 *
 * @throws {CliError} a usage error (exit 2) naming `--topic` when a value is not a valid pattern.
 */
export function topicPatternsOf(config: Pick<StatbusConfig, 'topic_prefix' | 'environment'>, values: readonly string[]): string[] {
  try {
    return [...new Set(values.flatMap((value) => topicPatterns(config, value)))];
  } catch (error) {
    if (error instanceof TopicError) throw new CliError(`--topic: ${error.message}`, { exitCode: 2, cause: error });
    throw error;
  }
}
