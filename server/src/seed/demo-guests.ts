/**
 * The demo restaurant's guests and six months of their visits, planned deterministically
 * (a seeded generator, so every fresh install tells the same story). Plain data: the seed
 * plays it through the same services production uses, so profiles, usual dishes and
 * stats come out of real checkouts.
 *
 * Personas: regulars (about weekly, with go-to dishes), occasional guests (about monthly),
 * at-risk guests (used to come often, not seen for 5-8 weeks), lapsed ones (not seen for
 * 3+ months) and new ones (a first visit in the last two weeks).
 */
import { DEMO_MENU } from './demo-menu.js';

export type Persona = 'regular' | 'occasional' | 'at-risk' | 'lapsed' | 'new';

export interface PlannedVisit {
  at: Date;
  items: { sku: string; quantity: number; modifiers?: string[] }[];
  tipPercent: number;
  method: 'CARD' | 'CASH';
}

export interface PlannedGuest {
  persona: Persona;
  input: {
    firstName: string;
    lastName: string;
    phone: string;
    email: string | null;
    birthday: string | null;
    allergies: string[];
    tags: string[];
    notes: string | null;
    marketingOptIn: boolean;
  };
  visits: PlannedVisit[];
}

const FIRST = ['Maria', 'James', 'Aisha', 'Chen', 'Sofia', 'Liam', 'Priya', 'Mateo', 'Olivia', 'Noah', 'Yuki', 'Amara', 'Lucas', 'Fatima', 'Ethan', 'Zoe', 'Omar', 'Hannah', 'Diego', 'Grace', 'Kwame', 'Ingrid', 'Ravi', 'Chloe', 'Tomás', 'Leila', 'Ben', 'Nina', 'Sam', 'Elena', 'Hugo', 'Mei', 'Jonah', 'Ava', 'Ibrahim', 'Rosa', 'Felix', 'Sara', 'Kai', 'Lena'];
const LAST = ['Garcia', 'Smith', 'Okafor', 'Wang', 'Rossi', 'Murphy', 'Patel', 'Fernández', 'Johnson', 'Kim', 'Tanaka', 'Mensah', 'Müller', 'Haddad', 'Brown', 'Nguyen', 'Silva', 'Cohen', 'López', 'Walker', 'Ahmed', 'Larsen', 'Singh', 'Dubois', 'Costa', 'Novak', 'Reyes', 'Ali', 'Schmidt', 'Moreau'];
const ALLERGIES = [['peanuts'], ['tree nuts'], ['shellfish', 'crustaceans'], ['gluten'], ['milk'], ['sesame'], ['fish'], ['egg'], ['peanuts', 'tree nuts'], ['soy']];
const TAGS = ['vip', 'wine club', 'birthday club', 'prefers booth', 'local', 'industry'];
const NOTES = ['Likes the corner booth', 'Celebrates anniversaries here', 'Prefers still water, no ice', 'Usually brings the kids on Sundays', 'Allergy is severe: tell the kitchen', null, null, null];
const MODIFIERS: Record<string, string[]> = {
  'MN-BURGER': ['medium', 'medium rare', 'no onions', 'add bacon'],
  'MN-SMASH': ['no pickles', 'extra cheese'],
  'MN-STEAKFR': ['rare', 'medium rare', 'medium'],
  'SA-CAESAR': ['add chicken', 'dressing on the side'],
  'DR-OLDFASH': ['rye', 'bourbon'],
};

const DAY = 86_400_000;

/** mulberry32: a small, fast, seeded PRNG; good enough for demo data. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function planDemoGuests(opts: { now: Date; count?: number; seed?: number }): PlannedGuest[] {
  const random = rng(opts.seed ?? 20261125);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const between = (lo: number, hi: number) => lo + random() * (hi - lo);
  const count = opts.count ?? 240;
  const now = opts.now.getTime();
  // Untracked items only: the demo's limited stock stays as printed on the menu.
  const menu = DEMO_MENU.filter((m) => m.stock === undefined);
  const mains = menu.filter((m) => m.category === 'Mains' || m.category === 'Salads');
  const extras = menu.filter((m) => m.category !== 'Mains' && m.category !== 'Salads');

  /** A dinner-time instant on the day `daysAgo` before now. */
  const evening = (daysAgo: number) => {
    const day = new Date(now - daysAgo * DAY);
    day.setUTCHours(17 + Math.floor(random() * 5), Math.floor(random() * 60), Math.floor(random() * 60), 0);
    return day.getTime() > now ? new Date(now - Math.floor(random() * 3_600_000)) : day;
  };

  const guests: PlannedGuest[] = [];
  for (let i = 0; i < count; i++) {
    const r = random();
    const persona: Persona = r < 0.15 ? 'regular' : r < 0.5 ? 'occasional' : r < 0.65 ? 'at-risk' : r < 0.85 ? 'lapsed' : 'new';
    const firstName = pick(FIRST);
    const lastName = pick(LAST);
    const area = ['415', '628', '510'][Math.floor(i / 100)]!;
    const favourites = [pick(mains), pick(mains), pick(extras)];

    // Days-ago of each visit, oldest first, within six months (182 days).
    let days: number[] = [];
    const series = (from: number, to: number, gap: number) => {
      for (let d = from; d > to; d -= gap * between(0.6, 1.4)) days.push(d);
    };
    if (persona === 'regular') series(between(150, 182), between(0, 6), between(6, 10));
    else if (persona === 'occasional') series(between(120, 182), between(5, 40), between(24, 40));
    else if (persona === 'at-risk') series(between(140, 182), between(35, 56), between(8, 14));
    else if (persona === 'lapsed') series(between(170, 182), between(95, 130), between(15, 35));
    else days = [between(1, 14)];
    days = days.map((d) => Math.max(0.05, d));

    const visits: PlannedVisit[] = days.map((d) => {
      const lines = new Map<string, number>();
      const add = (sku: string, n = 1) => lines.set(sku, (lines.get(sku) ?? 0) + n);
      const covers = 1 + Math.floor(random() * 3);
      for (let c = 0; c < covers; c++) add((random() < 0.7 ? favourites[c % 2]! : pick(mains)).sku);
      if (random() < 0.6) add(favourites[2]!.sku, covers);
      if (random() < 0.3) add(pick(extras).sku);
      return {
        at: evening(d),
        items: [...lines].map(([sku, quantity]) => ({ sku, quantity, ...(MODIFIERS[sku] && random() < 0.5 ? { modifiers: [pick(MODIFIERS[sku]!)] } : {}) })),
        tipPercent: pick([0, 15, 18, 18, 20, 20, 22]),
        method: random() < 0.8 ? 'CARD' : 'CASH',
      };
    });

    const year = 1950 + Math.floor(random() * 55);
    const month = 1 + Math.floor(random() * 12);
    const dom = 1 + Math.floor(random() * 28);
    guests.push({
      persona,
      input: {
        firstName,
        lastName,
        // 555-01xx numbers are reserved for fiction.
        phone: `+1${area}55501${String(i % 100).padStart(2, '0')}`,
        email: random() < 0.7 ? `${firstName}.${lastName}.${i}@example.com`.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '') : null,
        birthday: random() < 0.4 ? `${year}-${String(month).padStart(2, '0')}-${String(dom).padStart(2, '0')}` : null,
        allergies: random() < 0.18 ? pick(ALLERGIES) : [],
        tags: persona === 'regular' && random() < 0.6 ? [pick(TAGS)] : random() < 0.1 ? [pick(TAGS)] : [],
        notes: persona === 'regular' ? pick(NOTES) : null,
        marketingOptIn: random() < 0.6,
      },
      visits,
    });
  }
  return guests;
}
