import { validatePattern, type StatbusConfig } from '@statbus/core';

/**
 * A `--topic` value as a full pattern: values starting with `<topic_prefix>.` or with a wildcard are taken
 * as they are; anything else is the part after `<topic_prefix>.<environment>.`.
 *
 * @throws {TopicError} when the result is not a valid pattern.
 */
export function resolvePattern(config: StatbusConfig, value: string): string {
  const full =
    value.startsWith(`${config.topic_prefix}.`) || value === '#' || value.startsWith('#.') || value === '*' || value.startsWith('*.')
      ? value
      : `${config.topic_prefix}.${config.environment}.${value}`;
  validatePattern(full);
  return full;
}
