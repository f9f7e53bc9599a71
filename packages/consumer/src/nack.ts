/**
 * Thrown by a handler to ask for the message again later (fedora-messaging's `Nack`): it is requeued, and
 * dead-lettered once it was retried `max_retries` times.
 */
export class Nack extends Error {
  constructor(message = 'handler asked for a retry', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'Nack';
  }
}
