import { Field, Float, Int, ObjectType } from 'type-graphql';
import { MenuItem } from '../menu/menu-item.entity.js';
import { Customer } from './customer.entity.js';
import { PageInfo } from '../../common/pagination.js';

const DAY_MS = 86_400_000;

@ObjectType({ description: "A guest's visits and spend, kept up to date by every checkout." })
export class CustomerStats {
  @Field(() => Int)
  visitCount: number;

  @Field(() => Int, { description: 'Minor units: the sum of (total - tip) over paid orders.' })
  totalSpent: number;

  @Field(() => Int, { description: 'Minor units: totalSpent / visitCount, rounded half up; 0 before a first visit.' })
  averageSpend: number;

  @Field(() => Date, { nullable: true })
  firstVisitAt: Date | null;

  @Field(() => Date, { nullable: true })
  lastVisitAt: Date | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Mean of the days between consecutive visits; null before a second visit.',
  })
  averageDaysBetweenVisits: number | null;
}

/**
 * The stats from the projection columns. The mean of the gaps between consecutive visits
 * telescopes to (last - first) / (visits - 1), so it is exact and costs nothing to keep.
 */
export function statsOf(c: Pick<Customer, 'visitCount' | 'totalSpent' | 'firstVisitAt' | 'lastVisitAt'>): CustomerStats {
  const stats = new CustomerStats();
  stats.visitCount = c.visitCount;
  stats.totalSpent = c.totalSpent;
  stats.averageSpend = c.visitCount ? Math.floor((c.totalSpent * 2 + c.visitCount) / (2 * c.visitCount)) : 0;
  stats.firstVisitAt = c.firstVisitAt;
  stats.lastVisitAt = c.lastVisitAt;
  stats.averageDaysBetweenVisits =
    c.visitCount >= 2 && c.firstVisitAt && c.lastVisitAt ? (c.lastVisitAt.getTime() - c.firstVisitAt.getTime()) / DAY_MS / (c.visitCount - 1) : null;
  return stats;
}

@ObjectType()
export class DishCount {
  @Field(() => MenuItem)
  menuItem: MenuItem;

  @Field(() => Int)
  count: number;
}

@ObjectType()
export class CustomerConnection {
  @Field(() => [Customer])
  nodes: Customer[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;

  @Field(() => Int)
  totalCount: number;
}

@ObjectType()
export class SegmentSummary {
  @Field()
  segment: string;

  @Field(() => Int)
  customerCount: number;
}
