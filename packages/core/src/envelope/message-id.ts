import { randomFillSync } from 'node:crypto';
import { v7 as uuidV7 } from 'uuid';

/** Random bytes drawn from the system at once, 16 per id: one call into the system per 256 ids. */
const POOL_BYTES = 16 * 256;
const pool = new Uint8Array(POOL_BYTES);
let taken = POOL_BYTES;

/**
 * The 16 random bytes of the next id. The `uuid` package asks `crypto.getRandomValues` for each id, a call that
 * costs more than the rest of an envelope's making; the bytes are as random, drawn 4 KiB at a time.
 */
function randomBytes(): Uint8Array {
  if (taken === POOL_BYTES) {
    randomFillSync(pool);
    taken = 0;
  }
  taken += 16;
  return pool.subarray(taken - 16, taken);
}

/**
 * A new message id in fedmsg's form, `<year>-<uuid>`, the year taken from `time` (ms, UTC). The UUID is a
 * version 7 one (RFC 9562): it starts with `time`, so ids made later sort later and an archive's unique
 * index on them grows at its end instead of taking each insert at a random page, so that a large archive's
 * ingest rewrites few index pages per batch, unlike with fedmsg's random version 4 UUIDs, which are still
 * accepted (an id is any non-blank string) and are what imported Fedora archives carry.
 */
export function newMessageId(time: number = Date.now()): string {
  return `${new Date(time).getUTCFullYear()}-${uuidV7({ msecs: time, random: randomBytes() })}`;
}
