/**
 * Thrown by a handler to drop the message (fedora-messaging's `Drop`): it is acknowledged without being
 * processed, logged and counted as `dropped`. Never retried.
 */
export class Drop extends Error {
  constructor(message = 'handler dropped the message', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'Drop';
  }
}
