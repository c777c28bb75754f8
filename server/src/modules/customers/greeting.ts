import { Field, Int, ObjectType } from 'type-graphql';
import { Customer } from './customer.entity.js';
import { DishCount } from './customer.types.js';
import { LifecycleStage } from './lifecycle.js';

@ObjectType({ description: 'A recognised guest arriving, ready to show on a host screen with no second request.' })
export class GuestGreeting {
  @Field(() => Customer)
  customer: Customer;

  @Field(() => Int, { nullable: true })
  partySize: number | null;

  @Field()
  arrivedAt: Date;

  @Field()
  isRegular: boolean;

  @Field({ description: "Ready-to-show text, e.g. 'Welcome back, Maria! Your usual: Margherita and a Negroni'." })
  message: string;

  @Field(() => [DishCount])
  usualDishes: DishCount[];
}

function list(names: string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/**
 * The host's line for an arriving guest, by who they are to the restaurant:
 * first-timers are welcomed, regulars get their usual, lapsed and at-risk guests are missed.
 */
export function greetingMessage(g: { firstName: string; visitCount: number; stage: LifecycleStage; lastVisitAt: Date | null; usual: string[] }, now: Date): string {
  const name = g.firstName.trim() || 'there';
  if (g.visitCount === 0) return `Welcome, ${name}! So glad you're joining us for the first time.`;
  const usual = g.usual.length ? ` Your usual: ${list(g.usual.slice(0, 2))}.` : '';
  if (g.stage === LifecycleStage.LAPSED) {
    const months = g.lastVisitAt ? Math.max(1, Math.round((now.getTime() - g.lastVisitAt.getTime()) / (30 * 86_400_000))) : null;
    return `Great to see you again, ${name}!${months ? ` It's been ${months === 1 ? 'a month' : `${months} months`}.` : ''}${usual}`;
  }
  if (g.stage === LifecycleStage.AT_RISK) return `Welcome back, ${name}! We've missed you.${usual}`;
  if (g.stage === LifecycleStage.REGULAR) return `Welcome back, ${name}!${usual}`;
  return `Welcome back, ${name}! Nice to see you again.${usual}`;
}
