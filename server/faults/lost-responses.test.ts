import { afterAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { killServerProcesses } from '../test/support/server-process.js';
import { startCluster } from '../test/support/cluster.js';
import { startTcpProxy } from '../test/support/tcp-proxy.js';
import { count } from './db.js';
import { CHECKOUT, key, must } from './support.js';

afterAll(killServerProcesses);

// 5. The response to placeOrder, then to checkout, is lost on the way back; the client retries.
describe('lost responses', () => {
  it('a client that loses the answer to placeOrder and checkout and retries five times gets one order, one set of tickets, points once', async () => {
    const c = await startCluster(1);
    const net = await startTcpProxy(Number(new URL(c.instances[0]!.url).port));
    try {
      const url = c.instances[0]!.url;
      const items: string[] = [];
      for (const station of ['grill', 'bar']) {
        const made = await must<{ createMenuItem: { id: string } }>(
          url,
          'mutation($i: MenuItemInput!) { createMenuItem(input: $i) { id } }',
          {
            i: {
              sku: `LR-${randomUUID().slice(0, 8)}`,
              name: `Lost ${station} ${randomUUID().slice(0, 4)}`,
              category: 'Faults',
              price: 2_500,
              station,
              allergens: [],
            },
          },
          c.tokens.MANAGER,
        );
        items.push(made.createMenuItem.id);
      }
      const phone = `+1718555${String(1000 + Math.floor(Math.random() * 9000))}`;
      const guest = (
        await must<{ createCustomer: { id: string } }>(
          url,
          'mutation($i: CustomerInput!) { createCustomer(input: $i) { id } }',
          { i: { firstName: 'Retry', phone } },
          c.tokens.MANAGER,
        )
      ).createCustomer;
      const table = `lost-${randomUUID().slice(0, 8)}`;

      /** Sends the same request 5 times with the answer lost, then once more with the network healed. */
      const lossy = async <T>(query: string, variables: Record<string, unknown>): Promise<T> => {
        net.loseResponses(true);
        for (let attempt = 0; attempt < 5; attempt++)
          await expect(must(net.url, query, variables, c.tokens.SERVER)).rejects.toThrow(/fetch failed/);
        net.loseResponses(false);
        return must<T>(net.url, query, variables, c.tokens.SERVER);
      };

      const placeInput = {
        idempotencyKey: key(),
        table,
        customerId: guest.id,
        items: items.map((menuItemId) => ({ menuItemId, quantity: 1 })),
      };
      const placed = await lossy<{ placeOrder: { id: string; total: number; subtotal: number } }>(
        'mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { id total subtotal } }',
        { i: placeInput },
      );
      const order = placed.placeOrder;
      const paid = await lossy<{ checkout: { status: string } }>(CHECKOUT, {
        id: order.id,
        i: { idempotencyKey: key(), payments: [{ method: 'CARD', amount: order.total }] },
      });
      expect(paid.checkout.status).toBe('PAID');

      expect(await count('orders', 'table_name = $1', [table])).toBe(1);
      expect(await count('orders', 'customer_id = $1', [guest.id])).toBe(1);
      expect(await count('kitchen_ticket', 'order_id = $1', [order.id])).toBe(2);
      expect(await count('payment', 'order_id = $1', [order.id])).toBe(1);
      expect(await count('points_entry', `order_id = $1 and kind = 'EARN'`, [order.id])).toBe(1);
      const profile = await must<{ customerLookup: { stats: { visitCount: number }; loyalty: { points: number } } }>(
        url,
        'query($p: String!) { customerLookup(by: { phone: $p }) { stats { visitCount } loyalty { points } } }',
        { p: phone },
        c.tokens.MANAGER,
      );
      expect(profile.customerLookup.stats.visitCount).toBe(1);
      expect(profile.customerLookup.loyalty.points).toBe(Math.floor(order.subtotal / 100));
    } finally {
      await net.close();
      await c.close();
    }
  });
});
