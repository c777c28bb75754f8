/**
 * Money is an integer number of minor units (cents) everywhere: in the database, in
 * GraphQL (Int) and in every computation. Nothing here ever produces a fraction.
 */

export interface PricedLine {
  quantity: number;
  unitPrice: number;
}

export interface OrderTotals {
  subtotal: number;
  discount: number;
  tax: number;
  tip: number;
  total: number;
}

/**
 * Tax rounding rule: tax is computed once per order on (subtotal - discount), not per line,
 * and rounded half up to the minor unit: 8.75 % of 1 050 = 91.875 -> 92; of 1 000 = 87.5 -> 88.
 */
export function taxOn(taxable: number, rateBps: number): number {
  if (taxable <= 0) return 0;
  // Integer arithmetic: floor((taxable * bps + 5 000) / 10 000) is round-half-up of taxable * bps / 10 000.
  return Math.floor((taxable * rateBps + 5_000) / 10_000);
}

/**
 * Prices an order. The discount is clamped to [0, subtotal] (a discount never exceeds what
 * was ordered); tax follows taxOn; the tip is added after tax.
 * total = subtotal - discount + tax + tip.
 */
export function priceOrder(lines: readonly PricedLine[], opts: { taxRateBps: number; discount?: number; tip?: number }): OrderTotals {
  const subtotal = lines.reduce((sum, l) => sum + l.quantity * l.unitPrice, 0);
  const discount = Math.min(Math.max(0, opts.discount ?? 0), subtotal);
  const tax = taxOn(subtotal - discount, opts.taxRateBps);
  const tip = Math.max(0, opts.tip ?? 0);
  return { subtotal, discount, tax, tip, total: subtotal - discount + tax + tip };
}

/** The Luhn checksum used by payment card numbers. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (d < 0 || d > 9) return false;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/**
 * True when the text holds what looks like a card number: a run of 13 to 19 digits
 * (spaces or dashes between digits allowed, as people type them) that passes Luhn.
 * Payments carry a processor reference, never a card number.
 */
export function containsCardNumber(text: string): boolean {
  const runs = text.match(/\d(?:[ -]?\d)*/g) ?? [];
  for (const run of runs) {
    const digits = run.replace(/[ -]/g, '');
    if (digits.length >= 13 && digits.length <= 19 && luhnValid(digits)) return true;
  }
  return false;
}
