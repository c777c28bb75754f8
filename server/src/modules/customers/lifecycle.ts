import { registerEnumType } from 'type-graphql';

export enum LifecycleStage {
  NEW = 'NEW',
  ACTIVE = 'ACTIVE',
  REGULAR = 'REGULAR',
  AT_RISK = 'AT_RISK',
  LAPSED = 'LAPSED',
}
registerEnumType(LifecycleStage, { name: 'LifecycleStage' });

/**
 * The rules, with their defaults (configurable through the environment, see README):
 * - NEW: enrolled, or one visit, not yet lapsed.
 * - ACTIVE: two or more visits, fewer than `regularVisits`, seen recently.
 * - REGULAR: `regularVisits` (5) or more visits, and not overdue.
 * - AT_RISK: two or more visits and overdue against the guest's own rhythm: the time since the
 *   last visit exceeds `atRiskFactor` (2) times their average interval, and at least
 *   `atRiskMinDays` (14). A weekly regular is at risk after two weeks; a monthly guest after two months.
 * - LAPSED: no visit for `lapsedDays` (90).
 */
export interface LifecycleRules {
  regularVisits: number;
  atRiskFactor: number;
  atRiskMinDays: number;
  lapsedDays: number;
}

export const DEFAULT_LIFECYCLE: LifecycleRules = { regularVisits: 5, atRiskFactor: 2, atRiskMinDays: 14, lapsedDays: 90 };

/**
 * RFM scores 1-5 with fixed, documented bands (absolute, so a guest's score never depends on
 * everyone else's and can be kept per row):
 * - Recency, days since the last visit: <=14: 5, <=30: 4, <=60: 3, <=120: 2, else 1.
 * - Frequency, visits: >=20: 5, >=10: 4, >=5: 3, >=2: 2, else 1.
 * - Monetary, total spent (minor units): >=200 000: 5, >=80 000: 4, >=30 000: 3, >=10 000: 2, else 1.
 * Segments (a guest may be in several):
 * - champions: R>=4, F>=4, M>=4     - loyal: F>=4, R>=3          - big-spenders: M=5
 * - new: F=1, R>=4                  - at-risk: F>=3, R<=2        - hibernating: F<=2, R=2
 * - lost: R=1
 */
export const RECENCY_DAYS = [14, 30, 60, 120] as const;
export const FREQUENCY_VISITS = [20, 10, 5, 2] as const;
export const MONETARY_SPEND = [200_000, 80_000, 30_000, 10_000] as const;
export const SEGMENTS = ['champions', 'loyal', 'big-spenders', 'new', 'at-risk', 'hibernating', 'lost'] as const;
export type Segment = (typeof SEGMENTS)[number];

const DAY = 86_400_000;

export interface ProfileFacts {
  visitCount: number;
  totalSpent: number;
  firstVisitAt: Date | null;
  lastVisitAt: Date | null;
}

export interface Classification {
  stage: LifecycleStage;
  segments: Segment[];
  rfm: { r: number; f: number; m: number } | null;
  /** The next instant at which the classification changes without a visit; null when never. */
  validUntil: Date | null;
}

function averageIntervalDays(p: ProfileFacts): number | null {
  if (p.visitCount < 2 || !p.firstVisitAt || !p.lastVisitAt) return null;
  return (p.lastVisitAt.getTime() - p.firstVisitAt.getTime()) / DAY / (p.visitCount - 1);
}

/** Classifies a guest at `now`, and says until when that holds: the basis of the periodic refresh. */
export function classify(p: ProfileFacts, now: Date, rules: LifecycleRules = DEFAULT_LIFECYCLE): Classification {
  if (p.visitCount === 0 || !p.lastVisitAt) return { stage: LifecycleStage.NEW, segments: [], rfm: null, validUntil: null };
  const last = p.lastVisitAt.getTime();
  const since = (now.getTime() - last) / DAY;
  const avg = averageIntervalDays(p);
  const atRiskAfter = avg === null ? null : Math.max(rules.atRiskMinDays, rules.atRiskFactor * avg);

  let stage: LifecycleStage;
  if (since > rules.lapsedDays) stage = LifecycleStage.LAPSED;
  else if (atRiskAfter !== null && since > atRiskAfter) stage = LifecycleStage.AT_RISK;
  else if (p.visitCount === 1) stage = LifecycleStage.NEW;
  else if (p.visitCount >= rules.regularVisits) stage = LifecycleStage.REGULAR;
  else stage = LifecycleStage.ACTIVE;

  const r = 5 - RECENCY_DAYS.filter((d) => since > d).length;
  const f = FREQUENCY_VISITS.findIndex((v) => p.visitCount >= v);
  const m = MONETARY_SPEND.findIndex((v) => p.totalSpent >= v);
  const rfm = { r, f: f === -1 ? 1 : 5 - f, m: m === -1 ? 1 : 5 - m };
  const segments: Segment[] = [];
  if (rfm.r >= 4 && rfm.f >= 4 && rfm.m >= 4) segments.push('champions');
  if (rfm.f >= 4 && rfm.r >= 3) segments.push('loyal');
  if (rfm.m === 5) segments.push('big-spenders');
  if (rfm.f === 1 && rfm.r >= 4) segments.push('new');
  if (rfm.f >= 3 && rfm.r <= 2) segments.push('at-risk');
  if (rfm.f <= 2 && rfm.r === 2) segments.push('hibernating');
  if (rfm.r === 1) segments.push('lost');

  // Everything that can change with time alone is a day count since the last visit crossing a threshold.
  const thresholds = [...RECENCY_DAYS, rules.lapsedDays, ...(atRiskAfter === null ? [] : [atRiskAfter])];
  const next = thresholds.filter((d) => d >= since).sort((a, b) => a - b)[0];
  return { stage, segments, rfm, validUntil: next === undefined ? null : new Date(last + next * DAY + 1) };
}
