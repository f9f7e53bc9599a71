import { z } from 'zod';
import { validateTopic } from '../topic/topic-grammar.js';
import { validatePattern } from '../topic/topic-pattern.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../codec/envelope-codec.js';
import { amqpConfigSchema } from './amqp-config.js';
import { zeromqConfigSchema } from './zeromq-config.js';
import { signingConfigSchema } from './signing-config.js';
import { consumerConfigSchema } from './consumer-config.js';
import { queryConfigSchema } from './query-config.js';
import { sinkConfigSchema } from './sink-config.js';
import { metricsConfigSchema } from './metrics-config.js';

/** The transport kinds a config may name. */
export const TRANSPORT_KINDS = ['zeromq', 'amqp'] as const;

const topicWords = z.string().refine((value) => {
  try {
    validateTopic(value);
    return true;
  } catch {
    return false;
  }
}, 'must be dot-separated words without wildcards or white space');

function isValidPattern(value: string): boolean {
  try {
    validatePattern(value);
    return true;
  } catch {
    return false;
  }
}

const store = z
  .string()
  .refine(
    (value) => /^sqlite:.+/u.test(value) || /^mongodb(\+srv)?:\/\/.+/u.test(value),
    'must be sqlite:<path> (or sqlite::memory:) or a mongodb:// URL',
  );

/**
 * The whole statbus configuration (`statbus.toml`). Strict at every level: an unknown key is an error.
 * Defaults need nothing installed: ZeroMQ through a local relay, an SQLite file in the working directory.
 */
export const configSchema = z.strictObject({
  transport: z
    .enum(TRANSPORT_KINDS, {
      error: (issue) => `unknown transport ${JSON.stringify(issue.input)}; expected one of ${TRANSPORT_KINDS.join(', ')}`,
    })
    .default('zeromq'),
  store: store.default('sqlite:./statbus.db'),
  topic_prefix: topicWords.default('org.statbus'),
  environment: topicWords.default('dev'),
  producer: z
    .strictObject({
      name: z.string().min(1).regex(/^[^\s]+$/u, 'cannot hold white space').default('statbus'),
    })
    .prefault({}),
  codec: z
    .strictObject({
      max_message_bytes: z.number().int().min(1024).max(128 * 1024 * 1024).default(DEFAULT_MAX_MESSAGE_BYTES),
    })
    .prefault({}),
  log: z
    .strictObject({
      level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
      /** `pretty`: one readable line per record; `json`: pino's JSON lines; `auto`: pretty on a terminal, else JSON. */
      format: z.enum(['auto', 'json', 'pretty']).default('auto'),
    })
    .prefault({}),
  zeromq: zeromqConfigSchema,
  amqp: amqpConfigSchema,
  signing: signingConfigSchema,
  consumer: consumerConfigSchema,
  sink: sinkConfigSchema,
  /**
   * JSON Schemas for message bodies, by topic pattern: `"org.statbus.prod.bodhi.update.comment" =
   * "schemas/bodhi-comment.json"`. Producers refuse bodies that fail them; consumers dead-letter them.
   */
  schemas: z
    .record(
      z.string().refine(isValidPattern, 'must be a topic pattern (dot-separated words, * and # as whole words)'),
      z.string().min(1, 'must be the path of a JSON Schema file'),
    )
    .default({}),
  query: queryConfigSchema,
  metrics: metricsConfigSchema,
});

/** The validated configuration, defaults applied. */
export type StatbusConfig = z.output<typeof configSchema>;

/** What a config file, the environment or overrides may give: any part of the config. */
export type StatbusConfigInput = z.input<typeof configSchema>;
