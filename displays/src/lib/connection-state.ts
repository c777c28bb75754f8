/**
 * The state a screen shows for its live link to the server. A wall screen must never show
 * stale data silently, so every transition of the websocket maps to one of these.
 *
 * - connecting:    first attempt since the screen loaded or signed in
 * - live:          acknowledged by the server; events flow
 * - reconnecting:  the link dropped (or an attempt failed); retrying with back-off
 * - offline:       the device itself has no network; retrying resumes when it returns
 * - unauthorized:  the server refused the token (revoked, expired): sign in again, no retry
 */
export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'offline' | 'unauthorized';

export type ConnectionEvent =
  | { type: 'connecting' }
  | { type: 'connected' }
  | { type: 'closed'; code: number }
  | { type: 'network'; online: boolean }
  | { type: 'signed-in' };

/** Close codes after which retrying with the same token cannot help. */
export const AUTH_CLOSE_CODES: ReadonlySet<number> = new Set([4401, 4403]);

export function nextConnectionState(state: ConnectionState, event: ConnectionEvent): ConnectionState {
  if (event.type === 'signed-in') return 'connecting';
  if (state === 'unauthorized') return state;
  switch (event.type) {
    case 'connecting':
      if (state === 'offline') return state;
      return state === 'live' || state === 'reconnecting' ? 'reconnecting' : 'connecting';
    case 'connected':
      return 'live';
    case 'closed':
      if (AUTH_CLOSE_CODES.has(event.code)) return 'unauthorized';
      return state === 'offline' ? state : 'reconnecting';
    case 'network':
      if (!event.online) return 'offline';
      return state === 'offline' ? 'reconnecting' : state;
  }
}

export const STATE_LABELS: Record<ConnectionState, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
  unauthorized: 'Signed out',
};

/** "updated N s ago" text, coarse on purpose: it is read from across a kitchen. */
export function ago(since: number | null, now: number): string {
  if (since == null) return 'never';
  const s = Math.max(0, Math.floor((now - since) / 1000));
  if (s < 60) return `${s} s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ago`;
  return `${Math.floor(m / 60)} h ago`;
}
