/**
 * Loyalty and promotion arithmetic, pure. Money is minor units; points are whole.
 *
 * - Earning: `pointsPerUnit` points per whole major unit (1.00) of (subtotal - discount),
 *   before tax and tip, rounded down: 12.99 earns 12 points at the default 1.
 * - Tiers: the highest tier whose lifetime-points threshold is reached.
 * - Percent promotions: subtotal x percent / 100, rounded half up to the minor unit
 *   (15 % of 10.05 = 1.5075 -> 1.51); amount promotions take their amount. Either way the
 *   discount never exceeds the subtotal.
 */
export interface Tier {
  name: string;
  minLifetimePoints: number;
}

export const DEFAULT_TIERS: Tier[] = [
  { name: 'Bronze', minLifetimePoints: 0 },
  { name: 'Silver', minLifetimePoints: 500 },
  { name: 'Gold', minLifetimePoints: 1500 },
];

/** "Bronze:0,Silver:500,Gold:1500" */
export function parseTiers(spec: string): Tier[] {
  const tiers = spec.split(',').map((part) => {
    const [name, min] = part.split(':').map((s) => s.trim());
    const n = Number(min);
    if (!name || !Number.isInteger(n) || n < 0) throw new Error(`bad tier "${part}": expected Name:points`);
    return { name, minLifetimePoints: n };
  });
  if (!tiers.length || tiers[0]!.minLifetimePoints !== 0) throw new Error('the first tier must start at 0 points');
  return tiers.sort((a, b) => a.minLifetimePoints - b.minLifetimePoints);
}

export function tierFor(lifetimePoints: number, tiers: readonly Tier[] = DEFAULT_TIERS): string {
  let tier = tiers[0]!.name;
  for (const t of tiers) if (lifetimePoints >= t.minLifetimePoints) tier = t.name;
  return tier;
}

export function pointsEarned(subtotalAfterDiscount: number, pointsPerUnit: number): number {
  return Math.max(0, Math.floor(subtotalAfterDiscount / 100) * pointsPerUnit);
}

export function promotionDiscount(subtotal: number, promo: { discountPercent: number | null; discountAmount: number | null }): number {
  const raw = promo.discountPercent != null ? Math.floor((subtotal * promo.discountPercent * 2 + 100) / 200) : (promo.discountAmount ?? 0);
  return Math.min(Math.max(0, raw), subtotal);
}

export interface PromotionTarget {
  code: string;
  lifecycleStage: string | null;
  segment: string | null;
  startsAt: Date | null;
  endsAt: Date | null;
}

export interface GuestFacts {
  lifecycleStage: string;
  segments: readonly string[];
}

export function isActive(p: Pick<PromotionTarget, 'startsAt' | 'endsAt'>, now: Date): boolean {
  return (!p.startsAt || p.startsAt <= now) && (!p.endsAt || now < p.endsAt);
}

/** Why a promotion does not apply to this guest now, or null when it does. */
export function whyNot(p: PromotionTarget, guest: GuestFacts | null, now: Date): string | null {
  if (p.startsAt && now < p.startsAt) return `promotion ${p.code} starts ${p.startsAt.toISOString().slice(0, 10)}`;
  if (p.endsAt && now >= p.endsAt) return `promotion ${p.code} ended ${p.endsAt.toISOString().slice(0, 10)}`;
  if ((p.lifecycleStage || p.segment) && !guest) return `promotion ${p.code} is for selected guests: attach the guest first`;
  if (p.lifecycleStage && guest!.lifecycleStage !== p.lifecycleStage) return `promotion ${p.code} is only for ${p.lifecycleStage} guests`;
  if (p.segment && !guest!.segments.includes(p.segment)) return `promotion ${p.code} is only for guests in the ${p.segment} segment`;
  return null;
}

/** True when the birthday (YYYY-MM-DD) falls within 3 days either side of now's date (the birthday week). */
export function inBirthdayWeek(birthday: string | null, now: Date): boolean {
  if (!birthday) return false;
  const [, m, d] = birthday.split('-').map(Number);
  for (const year of [now.getUTCFullYear() - 1, now.getUTCFullYear(), now.getUTCFullYear() + 1]) {
    const day = Date.UTC(year, m! - 1, d!);
    if (Math.abs(day - Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())) <= 3 * 86_400_000) return true;
  }
  return false;
}
