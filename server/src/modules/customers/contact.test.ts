import { describe, expect, it } from 'vitest';
import { newLoyaltyCode, normaliseBirthday, normaliseEmail, normaliseList, normaliseLoyaltyCode, normalisePhone } from './contact.js';

describe('phone numbers', () => {
  it('normalises common formats to E.164 with the default region', () => {
    for (const raw of ['(415) 555-0123', '415.555.0123', '415 555 0123', '+1 415-555-0123', '1-415-555-0123']) {
      expect(normalisePhone(raw, 'US'), raw).toBe('+14155550123');
    }
    expect(normalisePhone('020 7946 0958', 'GB')).toBe('+442079460958');
    expect(normalisePhone('+44 20 7946 0958', 'US')).toBe('+442079460958');
  });

  it('treats blank as none and refuses what is not a number', () => {
    expect(normalisePhone('  ', 'US')).toBeNull();
    expect(() => normalisePhone('call me', 'US')).toThrow(/phone/);
    expect(() => normalisePhone('12', 'US')).toThrow(/phone/);
  });
});

describe('emails, birthdays, lists', () => {
  it('lower-cases emails and refuses malformed ones', () => {
    expect(normaliseEmail(' Maria.G@Example.COM ')).toBe('maria.g@example.com');
    expect(() => normaliseEmail('maria@')).toThrow(/email/);
  });

  it('accepts real past dates only', () => {
    expect(normaliseBirthday('1990-04-23')).toBe('1990-04-23');
    expect(() => normaliseBirthday('1990-02-30')).toThrow(/birthday/);
    expect(() => normaliseBirthday('23/04/1990')).toThrow(/birthday/);
    expect(() => normaliseBirthday('2999-01-01')).toThrow(/birthday/);
  });

  it('keeps allergies and tags trimmed, lower-case and unique', () => {
    expect(normaliseList([' Peanuts', 'peanuts', 'Shellfish ', ''])).toEqual(['peanuts', 'shellfish']);
  });
});

describe('loyalty codes', () => {
  it('are 8 readable characters and read back however they are typed', () => {
    const code = newLoyaltyCode();
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    expect(normaliseLoyaltyCode(code.toLowerCase().replace('-', ''))).toBe(code);
    expect(normaliseLoyaltyCode('7kq2 m9xo')).toBe('7KQ2-M9X0');
  });
});
