import { Arg, Ctx, ID, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { RequestContext } from '../../common/context.js';
import { KitchenEvent } from './kitchen-event.entity.js';
import { KitchenTicket } from './kitchen-ticket.entity.js';
import { KitchenBoard } from './kitchen.types.js';
import type { KitchenService } from './kitchen.service.js';

@Resolver(() => KitchenTicket)
export class KitchenResolver {
  constructor(private readonly kitchen: KitchenService) {}

  @Query(() => KitchenBoard, { description: 'Open tickets (all stations, or one), all-day counts, and the cursor to continue from.' })
  kitchenBoard(@Arg('station', () => String, { nullable: true }) station?: string): Promise<KitchenBoard> {
    return this.kitchen.board(station);
  }

  @Mutation(() => KitchenTicket, { description: 'NEW -> IN_PROGRESS.' })
  startTicket(@Arg('ticketId', () => ID) ticketId: string, @Ctx() ctx: RequestContext): Promise<KitchenTicket> {
    return this.kitchen.act(ctx, ticketId, 'start');
  }

  @Mutation(() => KitchenTicket, { description: 'NEW or IN_PROGRESS -> READY (for the pass).' })
  readyTicket(@Arg('ticketId', () => ID) ticketId: string, @Ctx() ctx: RequestContext): Promise<KitchenTicket> {
    return this.kitchen.act(ctx, ticketId, 'ready');
  }

  @Mutation(() => KitchenTicket, { description: 'Done: the ticket leaves the board (from NEW, IN_PROGRESS or READY).' })
  bumpTicket(@Arg('ticketId', () => ID) ticketId: string, @Ctx() ctx: RequestContext): Promise<KitchenTicket> {
    return this.kitchen.act(ctx, ticketId, 'bump');
  }

  @Mutation(() => KitchenTicket, { description: 'Brings a bumped ticket back to the board as READY.' })
  recallTicket(@Arg('ticketId', () => ID) ticketId: string, @Ctx() ctx: RequestContext): Promise<KitchenTicket> {
    return this.kitchen.act(ctx, ticketId, 'recall');
  }

  @Subscription(() => KitchenEvent, {
    description: 'Live kitchen tickets; with since, first replays every event after that cursor, then continues live.',
    subscribe: ({ args, context }) => {
      const ctx = context as RequestContext;
      if (!ctx.feeds) throw new Error('kitchen feed missing from the context');
      return ctx.feeds.kitchenEvents(ctx, args.station as string | undefined, args.since as string | undefined) as AsyncIterable<KitchenEvent>;
    },
  })
  // Returns its payload as is, so schema.ts resolves this field with the identity (see PAYLOAD_SUBSCRIPTIONS).
  kitchenEvents(
    @Root() event: KitchenEvent,
    @Arg('station', () => String, { nullable: true }) _station?: string,
    @Arg('since', () => String, { nullable: true }) _since?: string,
  ): KitchenEvent {
    return event;
  }
}

/**
 * Subscriptions whose resolver returns its payload unchanged, with arguments that only shape the
 * source. type-graphql makes a resolver with arguments asynchronous (it validates them), so every
 * event's execution would wait a turn; resolved by the identity instead, a live event executes
 * synchronously and the fan-out writes a screen's frame as the event arrives (shared-subscriptions.ts).
 */
export const PAYLOAD_SUBSCRIPTIONS = ['kitchenEvents'] as const;
