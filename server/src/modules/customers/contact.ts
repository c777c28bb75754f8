import { randomInt } from 'node:crypto';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { AppError } from '../../common/errors.js';

/** Any common way of writing a phone number, to E.164 (+14155550123); null when it is not a number. */
export function toE164(raw: string, defaultRegion: string): string | null {
  const parsed = parsePhoneNumberFromString(raw.trim(), defaultRegion as CountryCode);
  return parsed?.isPossible() ? parsed.number : null;
}

export function normalisePhone(raw: string | null | undefined, defaultRegion: string): string | null {
  if (raw == null || raw.trim() === '') return null;
  const e164 = toE164(raw, defaultRegion);
  if (!e164) throw AppError.badInput('phone', 'is not a phone number');
  return e164;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function normaliseEmail(raw: string | null | undefined): string | null {
  if (raw == null || raw.trim() === '') return null;
  const email = raw.trim().toLowerCase();
  if (!EMAIL.test(email) || email.length > 254) throw AppError.badInput('email', 'must be a valid email address');
  return email;
}

/** YYYY-MM-DD, a real calendar date, not in the future. */
export function normaliseBirthday(raw: string | null | undefined, now = new Date()): string | null {
  if (raw == null || raw.trim() === '') return null;
  const s = raw.trim();
  const d = new Date(`${s}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s) || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== s) {
    throw AppError.badInput('birthday', 'must be a date like 1990-04-23');
  }
  if (d > now || d.getUTCFullYear() < 1900) throw AppError.badInput('birthday', 'must be a past date after 1900');
  return s;
}

/** Trimmed, lower-case, non-empty, each once: allergies and tags are matched and shown this way. */
export function normaliseList(list: readonly string[] | null | undefined): string[] {
  return [...new Set((list ?? []).map((a) => a.trim().toLowerCase()).filter(Boolean))];
}

// Crockford base32 without look-alikes (no I, L, O, U): easy to read out at a register.
const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A loyalty code like "7KQ2-M9XD": 40 bits of randomness, printed on cards and receipts. */
export function newLoyaltyCode(): string {
  let s = '';
  for (let i = 0; i < 8; i++) s += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return `${s.slice(0, 4)}-${s.slice(4)}`;
}

/** Loyalty codes as typed: any case, with or without the dash, O for 0 and I/L for 1. */
export function normaliseLoyaltyCode(raw: string): string {
  const s = raw.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  return s.length === 8 ? `${s.slice(0, 4)}-${s.slice(4)}` : s;
}
