import { describe, expect, it } from 'vitest';
import { appendedRowId } from './ids.js';

describe('appendedRowId', () => {
  it('makes version 7 UUIDs that sort in the order they were made, also within one millisecond', () => {
    const ids = Array.from({ length: 1_000 }, () => appendedRowId());
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('gives every id fresh random bits, across refills of its pool of random bytes', () => {
    // 1,000 ids span four refills of the 256-id pool; the last 48 bits of each are random alone.
    const tails = Array.from({ length: 1_000 }, () => appendedRowId().slice(-12));
    expect(new Set(tails).size).toBe(tails.length);
    // Each of those random bits is set in some ids and clear in others.
    const ones = Array.from({ length: 48 }, (_, bit) => tails.filter((t) => (BigInt(`0x${t}`) >> BigInt(bit)) & 1n).length);
    for (const n of ones) expect(n).toBeGreaterThan(350);
    for (const n of ones) expect(n).toBeLessThan(650);
  });
});
