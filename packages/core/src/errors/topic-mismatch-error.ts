import { EnvelopeError } from './envelope-error.js';

/**
 * A message whose envelope names another topic than the one it was routed by (the AMQP routing key, the
 * ZeroMQ topic frame). Subscribers matched it by the routing topic, so delivering it under its envelope's
 * topic would hand it to consumers that never asked for it: both transports drop it with the reason
 * `topic-mismatch` (dead-lettered from a named AMQP queue).
 */
export class TopicMismatchError extends EnvelopeError {
  /** The topic it was routed by. */
  readonly routedTopic: string;
  /** The topic its envelope names. */
  readonly envelopeTopic: string;

  constructor(transport: string, routedTopic: string, envelopeTopic: string) {
    super([{ path: 'topic', message: `${transport} routed it as ${JSON.stringify(routedTopic)} but its envelope names ${JSON.stringify(envelopeTopic)}` }]);
    this.routedTopic = routedTopic;
    this.envelopeTopic = envelopeTopic;
  }
}
