import { describe, expect, it } from 'vitest';
import { ago, nextConnectionState, type ConnectionEvent, type ConnectionState } from './connection-state';

function run(events: ConnectionEvent[], from: ConnectionState = 'connecting'): ConnectionState {
  return events.reduce(nextConnectionState, from);
}

describe('nextConnectionState', () => {
  it('goes live when the server acknowledges the connection', () => {
    expect(run([{ type: 'connecting' }, { type: 'connected' }])).toBe('live');
  });

  it('shows reconnecting when a live link drops, and live again when it returns', () => {
    const dropped = run([{ type: 'connected' }, { type: 'closed', code: 1006 }]);
    expect(dropped).toBe('reconnecting');
    expect(nextConnectionState(dropped, { type: 'connecting' })).toBe('reconnecting');
    expect(nextConnectionState(dropped, { type: 'connected' })).toBe('live');
  });

  it('treats a failed first attempt as reconnecting, not as still connecting', () => {
    expect(run([{ type: 'connecting' }, { type: 'closed', code: 1006 }, { type: 'connecting' }])).toBe('reconnecting');
  });

  it('stops at unauthorized on a 4403 or 4401 close, and stays there until a new sign-in', () => {
    for (const code of [4401, 4403]) {
      const s = run([{ type: 'connected' }, { type: 'closed', code }]);
      expect(s).toBe('unauthorized');
      expect(run([{ type: 'connecting' }, { type: 'connected' }, { type: 'network', online: false }], s)).toBe('unauthorized');
      expect(nextConnectionState(s, { type: 'signed-in' })).toBe('connecting');
    }
  });

  it('shows offline while the device has no network, whatever the socket does', () => {
    const off = run([{ type: 'connected' }, { type: 'network', online: false }]);
    expect(off).toBe('offline');
    expect(run([{ type: 'closed', code: 1006 }, { type: 'connecting' }], off)).toBe('offline');
    expect(nextConnectionState(off, { type: 'network', online: true })).toBe('reconnecting');
    expect(nextConnectionState(off, { type: 'connected' })).toBe('live');
  });

  it('ignores the network coming back while already live', () => {
    expect(run([{ type: 'connected' }, { type: 'network', online: true }])).toBe('live');
  });
});

describe('ago', () => {
  it('reads coarsely in seconds, minutes, hours', () => {
    const now = 10_000_000;
    expect(ago(null, now)).toBe('never');
    expect(ago(now - 4_900, now)).toBe('4 s ago');
    expect(ago(now + 500, now)).toBe('0 s ago');
    expect(ago(now - 125_000, now)).toBe('2 min ago');
    expect(ago(now - 3 * 3600_000, now)).toBe('3 h ago');
  });
});
