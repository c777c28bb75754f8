import { Field, ObjectType } from 'type-graphql';
import { AppError } from './errors.js';

@ObjectType()
export class PageInfo {
  @Field(() => String, { nullable: true })
  endCursor: string | null;

  @Field()
  hasNextPage: boolean;
}

/** Page sizes: at least 1, at most MAX_PAGE (larger requests are capped, not refused). */
export const MAX_PAGE = 100;

export function pageSize(first: number | null | undefined, fallback: number): number {
  const n = first ?? fallback;
  if (!Number.isInteger(n) || n < 1) throw AppError.badInput('first', 'must be a positive integer');
  return Math.min(n, MAX_PAGE);
}

/** An opaque keyset cursor over (timestamp, id), newest first. */
export interface Keyset {
  at: Date;
  id: string;
}

export function encodeCursor(k: Keyset): string {
  return Buffer.from(`${k.at.toISOString()}|${k.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | null | undefined): Keyset | null {
  if (cursor == null || cursor === '') return null;
  const [iso, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const at = new Date(iso ?? '');
  if (!id || Number.isNaN(at.getTime())) throw AppError.badInput('after', 'is not a cursor from this list');
  return { at, id };
}
