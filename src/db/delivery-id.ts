import { randomFillSync } from 'node:crypto';

/**
 * Delivery ids: UUIDv7 (RFC 9562 §5.7) with a 12-bit counter in rand_a (§6.2, method 1), so
 * ids made in the same millisecond still sort in the order they were made. The log orders by
 * (createdAt, id) with millisecond timestamps: with random ids, two messages of one sender that
 * arrived in the same millisecond could swap places when resumed after a restart.
 */
let lastMs = 0;
let counter = 0;
/** Random bytes drawn 4 KiB at a time: one call per id was a measurable share of a delivery's CPU. */
const pool = Buffer.alloc(4096);
let poolAt = pool.length;

function random(size: number): Buffer {
  if (poolAt + size > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  poolAt += size;
  return pool.subarray(poolAt - size, poolAt);
}

export function newDeliveryId(now: number = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    // A random start within the lower half leaves room for the rest of this millisecond.
    counter = random(2).readUInt16BE() & 0x7ff;
  } else {
    counter += 1;
    if (counter > 0xfff) {
      // 4096 ids in one millisecond: borrow the next one rather than lose the order.
      lastMs += 1;
      counter = 0;
    }
  }
  const bytes = Buffer.from(random(16));
  bytes.writeUIntBE(lastMs, 0, 6);
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
