import type { ServerResponse } from 'node:http';

/**
 * Writes a shared, immutable buffer to a response in slices, waiting for `drain` between them:
 * a client that reads slowly or never holds at most one slice in the socket's queue, never a
 * copy of the whole body. A response that makes no progress for `stallMs` is cut, so a reader
 * that never reads gives its descriptor back.
 */
const SLICE_BYTES = 64 * 1024;

export async function writeBuffer(res: ServerResponse, body: Buffer, stallMs: number): Promise<void> {
  res.setTimeout(stallMs, () => res.destroy());
  for (let at = 0; at < body.length; at += SLICE_BYTES) {
    if (res.destroyed) return;
    // subarray shares the memory of `body`.
    if (!res.write(body.subarray(at, at + SLICE_BYTES))) {
      const drained = await new Promise<boolean>((resolve) => {
        const onDrain = () => done(true);
        const onClose = () => done(false);
        const done = (value: boolean) => {
          res.off('drain', onDrain);
          res.off('close', onClose);
          resolve(value);
        };
        res.once('drain', onDrain);
        res.once('close', onClose);
      });
      if (!drained) return;
    }
  }
  res.end();
}
