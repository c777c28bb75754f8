import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, ConfigError, DEV_TOKEN_SECRET, loadConfig } from './config.js';

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

describe('the README configuration table', () => {
  it('documents every setting the server reads, and no setting it does not', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.split(/^## Configuration$/m)[1]!.split(/^## /m)[0]!;
    const documented = new Set([...section.matchAll(/^\| ([^|]+) \|/gm)].flatMap((m) => [...m[1]!.matchAll(/`([A-Z_]+)`/g)].map((k) => k[1]!)));
    expect([...CONFIG_KEYS].filter((k) => !documented.has(k))).toEqual([]);
    expect([...documented].filter((k) => !(CONFIG_KEYS as string[]).includes(k))).toEqual([]);
  });
});
