import { createHash, randomBytes } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import { Role } from '../../common/roles.js';

/** Prefix that tells device tokens (random, looked up by hash) from staff tokens (signed JWTs). */
export const DEVICE_TOKEN_PREFIX = 'posdev_';

export interface StaffClaims {
  sub: string;
  role: Role;
  name: string;
}

/** How long a verified token's claims are reused without checking its signature again (never past its expiry). */
const VERIFIED_FOR_MS = 60_000;
/** Verified tokens remembered at most (a register sends the same token with every request). */
const VERIFIED_MAX = 1_000;

export class StaffTokens {
  private readonly key: Uint8Array;
  /**
   * Tokens whose signature was checked in the last minute, with their claims. Verifying an HS256
   * signature through WebCrypto was a tenth of the CPU of a warm register lookup; a staff token
   * carries no server-side state to revoke, so the answer cannot change before its expiry.
   */
  private readonly verified = new Map<string, { claims: StaffClaims; until: number }>();

  constructor(
    secret: string,
    private readonly ttlHours: number,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  sign(claims: StaffClaims): Promise<string> {
    return new SignJWT({ role: claims.role, name: claims.name })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(claims.sub)
      .setIssuedAt()
      .setIssuer('pos-crm')
      .setExpirationTime(`${this.ttlHours}h`)
      .sign(this.key);
  }

  /** The claims of a valid, unexpired token; null for anything else. */
  async verify(token: string): Promise<StaffClaims | null> {
    const now = Date.now();
    const hit = this.verified.get(token);
    if (hit && hit.until > now) return hit.claims;
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: 'pos-crm', algorithms: ['HS256'] });
      const role = payload.role as Role;
      if (!payload.sub || !Object.values(Role).includes(role)) return null;
      const claims: StaffClaims = Object.freeze({ sub: payload.sub, role, name: String(payload.name ?? '') });
      const expires = typeof payload.exp === 'number' ? payload.exp * 1000 : now;
      if (this.verified.size >= VERIFIED_MAX) this.verified.clear();
      this.verified.set(token, { claims, until: Math.min(expires, now + VERIFIED_FOR_MS) });
      return claims;
    } catch {
      return null;
    }
  }
}

export function newDeviceToken(): string {
  return DEVICE_TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function hashDeviceToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
