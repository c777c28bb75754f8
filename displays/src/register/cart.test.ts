import { describe, expect, it } from 'vitest';
import { addToCart, cartSubtotal, formatMoney, parseModifiers, setQuantity, SubmitKey } from './cart';

describe('the cart', () => {
  const burger = { id: 'b', name: 'Burger', price: 1_750 };
  it('stacks the same item, changes and removes quantities, and sums in minor units', () => {
    let cart = addToCart([], burger);
    cart = addToCart(cart, burger);
    cart = addToCart(cart, { id: 'f', name: 'Fries', price: 550 });
    expect(cart.map((l) => [l.name, l.quantity])).toEqual([
      ['Burger', 2],
      ['Fries', 1],
    ]);
    expect(cartSubtotal(cart)).toBe(4_050);
    expect(setQuantity(cart, 0, 0).map((l) => l.name)).toEqual(['Fries']);
  });

  it('reads modifiers as typed, and keeps a modified line apart', () => {
    expect(parseModifiers(' medium rare,, no onions ')).toEqual(['medium rare', 'no onions']);
    const cart = addToCart([{ ...addToCart([], burger)[0]!, modifiers: ['rare'] }], burger);
    expect(cart.map((l) => [l.quantity, l.modifiers])).toEqual([
      [1, ['rare']],
      [1, []],
    ]);
  });

  it('formats minor units in the currency', () => {
    expect(formatMoney(4_050, 'USD', 'en-US')).toBe('$40.50');
    expect(formatMoney(1_000, 'EUR', 'de-DE')).toMatch(/10,00\s€/);
    expect(formatMoney(1_500, 'JPY', 'ja-JP')).toMatch(/1,500/);
  });

  it('keeps one idempotency key until a submission succeeds', () => {
    const k = new SubmitKey();
    const first = k.current();
    expect(k.current()).toBe(first);
    k.done();
    expect(k.current()).not.toBe(first);
  });
});
