import { randomUUID } from 'node:crypto';

/** A new message id in fedmsg's form, `<year>-<uuid4>`, the year taken from `time` (ms, UTC). */
export function newMessageId(time: number = Date.now()): string {
  return `${new Date(time).getUTCFullYear()}-${randomUUID()}`;
}
