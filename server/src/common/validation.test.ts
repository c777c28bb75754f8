import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { ArgumentValidationError } from 'type-graphql';
import { CheckoutInput, OrderItemInput, PlaceOrderInput } from '../modules/orders/order.inputs.js';
import { validateArgument } from './validation.js';

const resolverData = {} as Parameters<typeof validateArgument>[2];
const item = (quantity: number, modifiers?: string[]) => Object.assign(new OrderItemInput(), { menuItemId: 'm1', quantity, modifiers });
const order = (items: OrderItemInput[]) => Object.assign(new PlaceOrderInput(), { idempotencyKey: 'k1', items });

async function refusal(value: unknown): Promise<ArgumentValidationError> {
  const err = await Promise.resolve(validateArgument(value, PlaceOrderInput, resolverData)).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ArgumentValidationError);
  return err as ArgumentValidationError;
}

describe('validateArgument (the schema validateFn)', () => {
  it('passes valid inputs and values that are not input objects', async () => {
    await expect(validateArgument(order([item(1), item(99, ['no onions'])]), PlaceOrderInput, resolverData)).resolves.toBeUndefined();
    for (const plain of ['text', 3, null, undefined, true]) await expect(validateArgument(plain, String, resolverData)).resolves.toBeUndefined();
  });

  it("refuses with type-graphql's own error: BAD_USER_INPUT and the failed constraints, nested ones included", async () => {
    const err = await refusal(order([item(1), item(0)]));
    expect(err.extensions.code).toBe('BAD_USER_INPUT');
    const [items] = err.extensions.validationErrors;
    expect(items!.property).toBe('items');
    expect(items!.children![0]!.property).toBe('1');
    expect(items!.children![0]!.children![0]!.constraints).toEqual({ min: 'must be at least 1' });
  });

  it('checks every element of a list argument', async () => {
    const err = await refusal([item(1), item(100)]);
    expect(err.extensions.validationErrors.map((e) => e.constraints)).toEqual([{ max: 'must be at most 99' }]);
    await expect(validateArgument([item(2), 'x', null], OrderItemInput, resolverData)).resolves.toBeUndefined();
  });

  it('leaves missing properties to GraphQL and allows unknown ones', async () => {
    const partial = Object.assign(new CheckoutInput(), { idempotencyKey: 'k', payments: [] as never[] });
    const err = await refusal(partial);
    expect(err.extensions.validationErrors.map((e) => e.property)).toEqual(['payments']);
    await expect(validateArgument({ anything: 1 }, Object, resolverData)).resolves.toBeUndefined();
  });
});
