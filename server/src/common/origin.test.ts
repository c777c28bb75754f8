import { describe, expect, it } from 'vitest';
import { originAllowed } from './origin.js';

describe('originAllowed', () => {
  const prod = { allowed: ['https://pos.example.com'], production: true };
  it('allows native clients, the same origin and listed origins', () => {
    expect(originAllowed(undefined, 'api.example.com', prod)).toBe(true);
    expect(originAllowed('https://api.example.com', 'api.example.com', prod)).toBe(true);
    expect(originAllowed('https://pos.example.com', 'api.example.com', prod)).toBe(true);
  });

  it('refuses other sites, and localhost only in production', () => {
    expect(originAllowed('https://evil.example', 'api.example.com', prod)).toBe(false);
    expect(originAllowed('http://localhost:5173', 'api.example.com', prod)).toBe(false);
    expect(originAllowed('http://localhost:5173', 'localhost:4000', { allowed: [], production: false })).toBe(true);
    expect(originAllowed('not a url', 'api.example.com', prod)).toBe(false);
  });
});
