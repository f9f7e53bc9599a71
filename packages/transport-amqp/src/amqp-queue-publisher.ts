import { readFileSync } from 'node:fs';
import { TransportError, encodeEnvelope, redactUrl, type Envelope, type StatbusConfig } from '@statbus/core';
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { connectionUrl, publishOptions, socketOptions } from './amqp-arguments.js';

/**
 * Publishes envelopes straight into one named queue through the broker's default exchange (`""`, routing
 * key = queue name), encoded and with the properties the transport gives them, so that the one consumer
 * group reading that queue gets them and nobody else does: what `statbus replay --queue` uses (as
 * `fedora-messaging replay` does). One connection, one confirm channel, no reconnection: a one-shot tool's
 * failure is an error to its caller, not a status.
 */
export class AmqpQueuePublisher {
  readonly queue: string;
  readonly address: string;
  readonly #model: ChannelModel;
  readonly #channel: ConfirmChannel;
  readonly #maxMessageBytes: number;
  readonly #persistent: boolean;
  #drained: Promise<void> | undefined;
  #closed = false;

  private constructor(queue: string, address: string, model: ChannelModel, channel: ConfirmChannel, config: Pick<StatbusConfig, 'amqp' | 'codec'>) {
    this.queue = queue;
    this.address = address;
    this.#model = model;
    this.#channel = channel;
    this.#maxMessageBytes = config.codec.max_message_bytes;
    this.#persistent = config.amqp.persistent;
  }

  /**
   * Connects to `[amqp] url` and checks that `queue` exists (publishing to a missing queue through the
   * default exchange would drop every message without a word).
   *
   * @throws {TransportError} `ERR_CONNECTION` when the broker cannot be reached; `ERR_PUBLISH` naming the
   *   queue when it does not exist.
   */
  static async open(config: Pick<StatbusConfig, 'amqp' | 'codec'>, queue: string): Promise<AmqpQueuePublisher> {
    const address = redactUrl(config.amqp.url);
    let model: ChannelModel;
    try {
      model = await connect(connectionUrl(config.amqp), socketOptions(config.amqp, (path) => readFileSync(path), `statbus queue publisher ${process.pid}`));
    } catch (error) {
      throw new TransportError('ERR_CONNECTION', `Cannot connect to ${address}: ${(error as Error).message}`, { address, cause: error });
    }
    model.on('error', () => undefined);
    try {
      const check = await model.createChannel();
      check.on('error', () => undefined);
      try {
        await check.checkQueue(queue);
      } catch (error) {
        throw new TransportError('ERR_PUBLISH', `No queue ${JSON.stringify(queue)} on ${address}: start its consumer first, or name an existing queue`, { address, cause: error });
      }
      await check.close().catch(() => undefined);
      const channel = await model.createConfirmChannel();
      channel.on('error', () => undefined);
      return new AmqpQueuePublisher(queue, address, model, channel, config);
    } catch (error) {
      await model.close().catch(() => undefined);
      throw error;
    }
  }

  /**
   * Sends `envelope` into the queue.
   *
   * @returns a promise that resolves when the broker confirmed it.
   * @throws {CodecError} over `codec.max_message_bytes`; {@link TransportError} `ERR_PUBLISH` when the
   *   broker nacked it, `ERR_CLOSED` after {@link close}.
   */
  async publish(envelope: Envelope): Promise<void> {
    if (this.#closed) throw new TransportError('ERR_CLOSED', 'Cannot publish: the queue publisher is closed', { address: this.address });
    const bytes = encodeEnvelope(envelope, { maxMessageBytes: this.#maxMessageBytes });
    while (this.#drained !== undefined) await this.#drained;
    await new Promise<void>((resolve, reject) => {
      const sent = this.#channel.publish('', this.queue, bytes, publishOptions(envelope, this.#persistent), (error: unknown) => {
        if (error === null || error === undefined) resolve();
        else reject(new TransportError('ERR_PUBLISH', `The broker refused a message for queue ${JSON.stringify(this.queue)}`, { address: this.address, cause: error }));
      });
      if (!sent) {
        // amqplib's buffer is full: later publishes wait for `drain`, this one is already on its way.
        this.#drained = new Promise<void>((done) => this.#channel.once('drain', () => {
          this.#drained = undefined;
          done();
        }));
      }
    });
  }

  /** Waits for outstanding confirms, then closes the channel and the connection. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#channel.waitForConfirms().catch(() => undefined);
    await this.#channel.close().catch(() => undefined);
    await this.#model.close().catch(() => undefined);
  }
}
