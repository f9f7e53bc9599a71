import { TransportError, type StatbusConfig, type Transport } from '@statbus/core';
import { CliError } from './cli-error.js';

/**
 * Connects `transport`; a first connection that fails becomes one line naming what to do — over ZeroMQ
 * with a relay, start one with `statbus relay`; over AMQP, start RabbitMQ or fix `amqp.url`.
 *
 * @throws {CliError} (exit 1) when the transport cannot connect; other errors as `connect()` rejects.
 */
export async function connectTransport(transport: Transport, config: StatbusConfig): Promise<void> {
  try {
    await transport.connect();
  } catch (error) {
    if (!(error instanceof TransportError) || error.code !== 'ERR_CONNECTION') throw error;
    const hint =
      config.transport === 'zeromq'
        ? `is a relay running? start one with \`statbus relay\` (or set zeromq.use_relay = false)`
        : 'is RabbitMQ running there? start it, or set amqp.url (or STATBUS_AMQP__URL) to where it runs';
    throw new CliError(`${error.message}; ${hint}`, { cause: error });
  }
}
