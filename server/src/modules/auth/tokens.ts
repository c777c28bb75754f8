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

export class StaffTokens {
  private readonly key: Uint8Array;

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
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: 'pos-crm', algorithms: ['HS256'] });
      const role = payload.role as Role;
      if (!payload.sub || !Object.values(Role).includes(role)) return null;
      return { sub: payload.sub, role, name: String(payload.name ?? '') };
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
