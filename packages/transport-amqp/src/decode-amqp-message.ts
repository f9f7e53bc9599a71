import { CodecError, EnvelopeError, TopicMismatchError, decodeEnvelope, type Envelope } from '@statbus/core';
import type { ConsumeMessage } from 'amqplib';
import { decodeFedoraMessaging, isFedoraMessagingMessage } from './fedora-messaging-format.js';

/** The wire format a received AMQP message was read in. */
export type AmqpWireFormat = 'statbus' | 'fedora-messaging';

/**
 * Reads a received message in whichever format it is in, told apart per message: fedora-messaging's when it
 * carries one of the headers every fedora-messaging publisher sets (`fedora_messaging_schema`,
 * `fedora_messaging_severity`, `sent-at`), statbus's envelope otherwise. A message in neither format fails with
 * an error that says so and why.
 *
 * @throws {CodecError} over `maxMessageBytes` (`ERR_MESSAGE_TOO_LARGE`), or for bytes that are not UTF-8 JSON (`ERR_CODEC`).
 * @throws {EnvelopeError} naming what is wrong: a fedora-messaging header of the wrong type, or a message that
 *   is neither a statbus envelope nor a fedora-messaging message.
 * @throws {TopicMismatchError} when a statbus envelope names another topic than the routing key it was routed by
 *   through an exchange (the default exchange `""` routes by queue name, as `statbus replay --queue` does).
 */
export function decodeAmqpMessage(message: Pick<ConsumeMessage, 'content' | 'fields' | 'properties'>, maxMessageBytes: number): Envelope {
  if (isFedoraMessagingMessage(message.properties)) {
    return decodeFedoraMessaging(message.fields.routingKey, message.properties, message.content, { maxMessageBytes });
  }
  let envelope: Envelope;
  try {
    envelope = decodeEnvelope(message.content, { maxMessageBytes });
  } catch (error) {
    const neither = 'neither a statbus envelope nor a fedora-messaging message (no fedora_messaging_schema, fedora_messaging_severity or sent-at header)';
    if (error instanceof EnvelopeError) throw new EnvelopeError([{ path: '(wire format)', message: neither }, ...error.issues]);
    if (error instanceof CodecError && error.code === 'ERR_CODEC') {
      throw new CodecError('ERR_CODEC', `AMQP message on ${JSON.stringify(message.fields.routingKey)} is ${neither}: ${error.message}`, {
        size: error.size,
        cause: error,
      });
    }
    throw error;
  }
  const { exchange, routingKey } = message.fields;
  if (exchange !== '' && envelope.topic !== routingKey) throw new TopicMismatchError('AMQP', routingKey, envelope.topic);
  return envelope;
}
