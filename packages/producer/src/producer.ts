import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import {
  CONFIG,
  LOGGER,
  SchemaRegistry,
  Signer,
  TRANSPORT,
  createEnvelope,
  resolveTopic,
  type Envelope,
  type JsonObject,
  type JsonSchema,
  type Logger,
  type ProducerIdentity,
  type SchemaOptions,
  type StatbusConfig,
  type Transport,
} from '@statbus/core';
import { inject, injectable } from 'inversify';
import { buildHeaders } from './build-headers.js';
import type { PublishOptions } from './publish-options.js';

/** Resolved topics remembered before the memory starts over. */
const MAX_RESOLVED_TOPICS = 1024;

/**
 * Builds, validates, signs and publishes envelopes for one producer name over any {@link Transport}.
 *
 * Each instance is one producer instance: its own `instance` id and a `seq` from 1 without holes. A
 * publish refused before it reached the transport (bad topic, body failing its schema, bad headers,
 * missing key) takes no `seq`; one the transport then fails keeps its `seq`, which subscribers see as a gap.
 * The producer does not own the transport: connect and close it yourself.
 */
@injectable()
export class Producer {
  readonly identity: ProducerIdentity;
  /** The JSON Schemas bodies are validated against; see {@link registerSchema}. */
  readonly schemas = new SchemaRegistry();
  readonly #transport: Transport;
  readonly #config: StatbusConfig;
  readonly #log: Logger;
  /** Topics as given to {@link publish} and as resolved (prefix and env are fixed per producer); bounded. */
  readonly #topics = new Map<string, string>();
  #seq = 0;
  #signer: Signer | undefined;
  #signerLoading: Promise<Signer> | undefined;

  constructor(@inject(TRANSPORT) transport: Transport, @inject(CONFIG) config: StatbusConfig, @inject(LOGGER) logger: Logger) {
    this.#transport = transport;
    this.#config = config;
    this.identity = { name: config.producer.name, host: hostname(), pid: process.pid, instance: randomUUID() };
    this.#log = logger.child({ component: 'producer', producer: this.identity.name, instance: this.identity.instance });
  }

  /** The `seq` of the last envelope handed to the transport; 0 before the first. */
  get seq(): number {
    return this.#seq;
  }

  /**
   * Registers a JSON Schema for the bodies of topics matching `pattern` (a full-topic pattern such as
   * `org.statbus.prod.bodhi.update.#`; see {@link SchemaRegistry.register}). Its name goes in the `schema` header; its
   * `extract` function fills `usernames`, `packages`, `agent` and `severity`.
   *
   * @throws {TopicError} for a malformed pattern; {@link SchemaDefinitionError} for a schema ajv cannot compile.
   */
  registerSchema(pattern: string, schema: JsonSchema, options: SchemaOptions): this {
    this.schemas.register(pattern, schema, options);
    return this;
  }

  /**
   * Publishes `body` on `topicOrSuffix`: a full topic, or the part after `<prefix>.<env>.` (`bodhi.update.comment`).
   *
   * @returns the envelope sent, once the transport's `publish` resolved (ZeroMQ: queued; AMQP: confirmed).
   * @throws {TopicError} for a topic outside the grammar or namespace.
   * @throws {SchemaValidationError} when the body fails the schema registered for its topic, listing each failure.
   * @throws {EnvelopeError} for a body that is not a JSON object or bad header values.
   * @throws {SigningKeyError} when signing is on and the key of this producer cannot be read.
   * @throws {TransportError} / {@link CodecError} as the transport's `publish` rejects.
   */
  async publish(topicOrSuffix: string, body: JsonObject, options: PublishOptions = {}): Promise<Envelope> {
    const topic = this.#resolve(topicOrSuffix);
    const schema = this.schemas.validate(topic, body);
    const headers = buildHeaders(options, schema?.extract?.(body, topic), schema?.name);
    const signer = this.#config.signing.enabled ? (this.#signer ?? (await this.#loadSigner())) : undefined;
    // From here to the transport call everything is synchronous, so seq follows the order of transport calls.
    const seq = this.#seq + 1;
    const unsigned = createEnvelope({ topic, body, headers, seq, producer: this.identity });
    const envelope = signer === undefined ? unsigned : signer.sign(unsigned);
    this.#seq = seq;
    const sending = this.#transport.publish(envelope);
    this.#log.debug({ topic, id: envelope.id, seq }, 'publishing');
    await sending;
    return envelope;
  }

  // Services publish on a handful of topics: checking and resolving each one once saves most of a publish's cost.
  #resolve(topicOrSuffix: string): string {
    let topic = this.#topics.get(topicOrSuffix);
    if (topic === undefined) {
      topic = resolveTopic({ prefix: this.#config.topic_prefix, env: this.#config.environment }, topicOrSuffix);
      if (this.#topics.size >= MAX_RESOLVED_TOPICS) this.#topics.clear();
      this.#topics.set(topicOrSuffix, topic);
    }
    return topic;
  }

  #loadSigner(): Promise<Signer> {
    this.#signerLoading ??= Signer.fromDirectory(this.identity.name, this.#config.signing.keys_dir).then(
      (signer) => {
        this.#signer = signer;
        return signer;
      },
      (error: unknown) => {
        // Forget the failure: the next publish tries again (the key may be installed by then).
        this.#signerLoading = undefined;
        throw error;
      },
    );
    return this.#signerLoading;
  }
}
