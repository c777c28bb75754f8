import { randomFillSync } from 'node:crypto';
import { v7 } from 'uuid';

/**
 * The id of a row that is only ever appended to a table that grows with every order (orders,
 * their lines, payments, points entries, kitchen tickets, audit entries): a version 7 UUID,
 * which begins with the time, so each new row goes on the last page of its primary key's index
 * (and of the indexes on columns that refer to it) instead of a random one. In a table of
 * millions of rows a random leaf page is mostly one not in memory and not written since the
 * last checkpoint: a read, and a whole page in the WAL. The remaining 74 bits are random, so
 * ids are no easier to guess; they do tell when the row was made, as its createdAt does.
 *
 * The random bytes come from a pool filled 256 ids at a time, as Node's own `randomUUID` does:
 * `uuid` asks the system for 16 bytes per id, and those calls were 2.5 % of the server's CPU in
 * bench W4 (about eight ids per order). Ids made in the same millisecond count up from a random
 * start (`uuid`'s monotonic rule: RFC 9562, method 1), so they still sort in the order made.
 */
export function appendedRowId(): string {
  const random = randomBytes16();
  const now = Date.now();
  if (now > clock.msecs) {
    clock.msecs = now;
    // A random 31-bit start for this millisecond's counter, leaving room to count up.
    clock.seq = ((random[6]! & 0x7f) << 24) | (random[7]! << 16) | (random[8]! << 8) | random[9]!;
  } else {
    clock.seq = (clock.seq + 1) | 0;
    // The counter ran out (or the clock went back): borrow the next millisecond.
    if (clock.seq === 0) clock.msecs++;
  }
  return v7({ random, msecs: clock.msecs, seq: clock.seq });
}

const clock = { msecs: -Infinity, seq: 0 };
const POOL_IDS = 256;
const pool = new Uint8Array(16 * POOL_IDS);
let next = pool.length;

function randomBytes16(): Uint8Array {
  if (next === pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  const bytes = pool.subarray(next, next + 16);
  next += 16;
  return bytes;
}
