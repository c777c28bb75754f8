import { describe, expect, it } from 'vitest';
import { ConfigError, DEV_TOKEN_SECRET, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('has working defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ PORT: 4000, LOG_LEVEL: 'info', TAX_RATE_BPS: 875, MIGRATE_ON_START: true, TOKEN_SECRET: DEV_TOKEN_SECRET });
    expect(c.DATABASE_URL).toBeUndefined();
  });

  it('treats empty values as unset and coerces numbers and booleans', () => {
    expect(loadConfig({ PORT: '', MIGRATE_ON_START: 'false', TAX_RATE_BPS: '1000' })).toMatchObject({
      PORT: 4000,
      MIGRATE_ON_START: false,
      TAX_RATE_BPS: 1000,
    });
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ TAX_RATE_BPS: '-1' }, 'TAX_RATE_BPS'],
    [{ TIME_ZONE: 'Mars/Olympus' }, 'TIME_ZONE'],
    [{ ADMIN_EMAIL: 'a@b.co' }, 'ADMIN_PASSWORD'],
    [{ TOKEN_SECRET: 'short' }, 'TOKEN_SECRET'],
    [{ NODE_ENV: 'production' }, 'TOKEN_SECRET'],
    [{ NODE_ENV: 'production', TOKEN_SECRET: 'a-real-secret-of-at-least-32-characters' }, 'ALLOWED_ORIGINS'],
    [{ ALLOWED_ORIGINS: 'pos.example.com' }, 'ALLOWED_ORIGINS'],
  ])('refuses %j with a message naming %s', (env, name) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(name);
  });
});
