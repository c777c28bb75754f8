import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { containsCardNumber, luhnValid, priceOrder, taxOn } from './money.js';

describe('taxOn', () => {
  it('rounds half up once per order', () => {
    expect(taxOn(1_000, 875)).toBe(88); // 87.5
    expect(taxOn(1_050, 875)).toBe(92); // 91.875
    expect(taxOn(1_020, 875)).toBe(89); // 89.25
    expect(taxOn(0, 875)).toBe(0);
    expect(taxOn(12_345, 0)).toBe(0);
  });
});

describe('priceOrder', () => {
  it('prices a simple order', () => {
    expect(priceOrder([{ quantity: 2, unitPrice: 1_750 }, { quantity: 1, unitPrice: 550 }], { taxRateBps: 875, tip: 300 })).toEqual({
      subtotal: 4_050,
      discount: 0,
      tax: 354, // 354.375
      tip: 300,
      total: 4_704,
    });
  });

  it('never lets a discount exceed the subtotal', () => {
    expect(priceOrder([{ quantity: 1, unitPrice: 500 }], { taxRateBps: 875, discount: 900 })).toMatchObject({ discount: 500, tax: 0, total: 0 });
  });

  it('over random carts: all integers, never negative, and lines + tax - discount + tip = total', () => {
    const line = fc.record({ quantity: fc.integer({ min: 1, max: 50 }), unitPrice: fc.integer({ min: 0, max: 500_000 }) });
    fc.assert(
      fc.property(
        fc.array(line, { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: -1_000, max: 10_000_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        (lines, taxRateBps, discount, tip) => {
          const t = priceOrder(lines, { taxRateBps, discount, tip });
          const lineTotal = lines.reduce((s, l) => s + l.quantity * l.unitPrice, 0);
          for (const v of Object.values(t)) {
            expect(Number.isInteger(v)).toBe(true);
            expect(v).toBeGreaterThanOrEqual(0);
          }
          expect(t.subtotal).toBe(lineTotal);
          expect(t.subtotal + t.tax - t.discount + t.tip).toBe(t.total);
          expect(t.discount).toBeLessThanOrEqual(t.subtotal);
          // Tax is within half a cent of the exact amount.
          expect(Math.abs(t.tax - ((t.subtotal - t.discount) * taxRateBps) / 10_000)).toBeLessThanOrEqual(0.5);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('card numbers', () => {
  it('knows the Luhn checksum', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(luhnValid('79927398713')).toBe(true);
  });

  it('finds a Luhn-valid run of 13 to 19 digits, typed with or without separators', () => {
    expect(containsCardNumber('4111111111111111')).toBe(true);
    expect(containsCardNumber('card 4111 1111 1111 1111 exp 12/29')).toBe(true);
    expect(containsCardNumber('5500-0000-0000-0004')).toBe(true);
    expect(containsCardNumber('378282246310005')).toBe(true); // 15-digit Amex test number
  });

  it('accepts processor references', () => {
    expect(containsCardNumber('ch_3PqZx2Lk9')).toBe(false);
    expect(containsCardNumber('4111111111111112')).toBe(false); // fails Luhn
    expect(containsCardNumber('auth 123456')).toBe(false);
    expect(containsCardNumber('41111111111111111111111')).toBe(false); // 23 digits: not a card number
  });
});
