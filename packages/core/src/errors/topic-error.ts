import { StatbusError } from './statbus-error.js';

/** A topic or a topic pattern that does not follow the grammar; says which and why. */
export class TopicError extends StatbusError {
  readonly topic: string;
  readonly reason: string;

  constructor(kind: 'topic' | 'pattern', topic: string, reason: string) {
    super(kind === 'topic' ? 'ERR_TOPIC' : 'ERR_PATTERN', `Invalid ${kind} ${JSON.stringify(topic)}: ${reason}`);
    this.topic = topic;
    this.reason = reason;
  }
}
