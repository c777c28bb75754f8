import type { GuestArrivalsSubscription } from '../graphql/generated';

export type Greeting = GuestArrivalsSubscription['guestArrivals'];
export interface QueuedGreeting extends Greeting {
  receivedAt: number;
}

/** Newest first; at most `max` cards; a guest greeted again moves to the top. */
export function addGreeting(queue: readonly QueuedGreeting[], g: Greeting, now: number, max = 8): QueuedGreeting[] {
  return [{ ...g, receivedAt: now }, ...queue.filter((q) => q.customer.id !== g.customer.id)].slice(0, max);
}

/** Cards age out after `ttlMs` (10 minutes by default): the guest has been seated. */
export function ageOut(queue: readonly QueuedGreeting[], now: number, ttlMs = 10 * 60_000): QueuedGreeting[] {
  const kept = queue.filter((q) => now - q.receivedAt < ttlMs);
  return kept.length === queue.length ? (queue as QueuedGreeting[]) : kept;
}

export type GuestKey = { phone: string } | { email: string } | { loyaltyCode: string };

/**
 * What the host typed or scanned: an email, a loyalty code (from a card's QR code, which may
 * carry a "POS:" prefix or a URL ending in the code), or else a phone number.
 */
export function parseGuestKey(raw: string): GuestKey | null {
  const text = raw.trim();
  if (!text) return null;
  if (text.includes('@')) return { email: text };
  const scanned = text.replace(/^pos:/i, '').replace(/^.*[/=]/, '');
  if (/^[0-9A-Za-z]{4}-?[0-9A-Za-z]{4}$/.test(scanned) && /[A-Za-z]/.test(scanned)) return { loyaltyCode: scanned.toUpperCase() };
  return { phone: text };
}
