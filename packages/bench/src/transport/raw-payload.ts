/**
 * The payload the raw candidates send: the stamp (float64 at 0), the kind (byte 8: 0 measured, 1 probe)
 * and the producer's number (uint16 at 9), padded with spaces to `size` bytes.
 */
export const rawPayload = {
  encode(size: number, stamp: number, probe: boolean, producer: number): Buffer {
    const payload = Buffer.alloc(Math.max(size, 11), 0x20);
    payload.writeDoubleLE(stamp, 0);
    payload.writeUInt8(probe ? 1 : 0, 8);
    payload.writeUInt16LE(producer, 9);
    return payload;
  },
  /** Calls the listener's `message` or `probe` for one received payload. */
  dispatch(payload: Buffer, listener: { message(stamp: number): void; probe(producer: string): void }): void {
    if (payload.readUInt8(8) === 1) listener.probe(String(payload.readUInt16LE(9)));
    else listener.message(payload.readDoubleLE(0));
  },
};
