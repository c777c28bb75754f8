import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { execute, parse } from 'graphql';
import { buildAppSchema } from '../../schema.js';
import { KitchenEvent } from './kitchen-event.entity.js';
import { KitchenResolver, PAYLOAD_SUBSCRIPTIONS } from './kitchen.resolver.js';

const DISPLAY_DOCUMENT = fileURLToPath(new URL('../../../../displays/src/graphql/kitchen.graphql', import.meta.url));

describe('kitchenEvents execution', () => {
  it("executes the kitchen display's subscription for a live event synchronously, with the event as it is", async () => {
    const schema = await buildAppSchema({ pubSub: { publish: () => undefined, subscribe: () => ({}) } as never });
    const document = parse(readFileSync(DISPLAY_DOCUMENT, 'utf8'));
    const at = new Date('2026-11-26T12:00:00.000Z');
    const event = Object.assign(new KitchenEvent(), {
      cursor: '41',
      type: 'CREATED',
      ticket: { id: 't1', order: { id: 'o1' }, orderNumber: 7, station: 'grill', table: 'T4', status: 'NEW', items: [{ name: 'Burger', quantity: 2, modifiers: ['no onion'], notes: null, allergens: ['gluten'] }], guestName: 'Ana', guestAllergies: ['nuts'], createdAt: at, startedAt: null, readyAt: null, bumpedAt: null },
    });
    const contextValue = { requestId: 'test', actor: { kind: 'device', id: 'screen', role: 'KITCHEN', name: 'screen' } };
    const result = execute({ schema, document, operationName: 'KitchenEvents', rootValue: event, contextValue, variableValues: { station: 'grill' } });
    // Not a promise: the shared fan-out can write every screen's frame while the event is handed out.
    expect(typeof (result as { then?: unknown }).then).toBe('undefined');
    expect(result).toEqual({
      data: {
        kitchenEvents: {
          cursor: '41',
          type: 'CREATED',
          ticket: {
            id: 't1', orderId: 'o1', orderNumber: 7, station: 'grill', table: 'T4', status: 'NEW',
            items: [{ name: 'Burger', quantity: 2, modifiers: ['no onion'], notes: null, allergens: ['gluten'] }],
            guestName: 'Ana', guestAllergies: ['nuts'], createdAt: at.toISOString(), startedAt: null, readyAt: null, bumpedAt: null,
          },
        },
      },
    });
    // The identity stands in for the resolver method: it must still return its payload as is.
    expect(PAYLOAD_SUBSCRIPTIONS).toEqual(['kitchenEvents']);
    expect(new KitchenResolver({} as never).kitchenEvents(event)).toBe(event);
    // The access matrix still applies to the field: a host-stand device may not read kitchen events.
    const refused = await execute({ schema, document, operationName: 'KitchenEvents', rootValue: event, contextValue: { ...contextValue, actor: { ...contextValue.actor, role: 'HOST' } } });
    expect(refused.data).toBeNull();
    expect((refused.errors?.[0]?.originalError as { code?: string } | undefined)?.code).toBe('FORBIDDEN');
  });
});
