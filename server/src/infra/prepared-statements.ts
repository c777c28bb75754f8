import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Server-side prepared statements for the hot writes (placeOrder, checkout: bench W4), sent as
 * SQL: `prepare "w_…" as <statement with $1, $2…>` once per connection, then
 * `execute "w_…"(<values>)`. PostgreSQL parses and plans such a statement once per connection
 * instead of on every order: with the values inlined, parsing and planning W4's big statements
 * were about half of PostgreSQL's CPU per order (1.9 ms per order as text, 1.0 ms executed).
 *
 * Why SQL and not the protocol's own prepared statements (`PreparedRead`): an EXECUTE is still
 * plain text, so it travels in one message with its transaction's BEGIN or COMMIT
 * (`infra/pg-client.ts`) as the statements it replaces did.
 *
 * A statement's *shape* is its text with `?` placeholders plus the length of each list given for
 * one (a list fills one placeholder per item). A shape is prepared once it has been run `after`
 * times by this process, so a one-off shape (an unusual number of lines, of modifiers) stays
 * inlined and costs no PREPARE; `after` 0 never prepares (for a pooler that does not keep
 * per-connection statements, such as PgBouncer in transaction mode). A shape whose PREPARE
 * PostgreSQL refuses (a placeholder whose type it cannot infer) is run inlined from then on.
 */
export class PreparedStatements {
  readonly #shapes = new Map<string, Shape>();
  readonly #byName = new Map<string, Shape>();

  constructor(
    /** Runs of a shape before it is prepared; 0 never prepares. */
    readonly after: number,
    private readonly onRefused: (name: string, definition: string, error: Error) => void = () => undefined,
    /** Shapes remembered at most (then forgotten and counted again from the start). */
    private readonly maxShapes = 2_000,
  ) {}

  /**
   * The prepared statement to execute for `sql` with `params` (its name, and its values with each
   * list spread), or null to send the statement as given: its shape is not prepared (yet).
   */
  prepared(sql: string, params: readonly unknown[]): { name: string; values: unknown[] } | null {
    if (this.after <= 0) return null;
    let key = sql;
    for (const p of params) if (Array.isArray(p)) key += `\u0000${p.length}`;
    let shape = this.#shapes.get(key);
    if (!shape) {
      if (this.#shapes.size >= this.maxShapes) this.#forget();
      shape = this.#shape(sql, params);
      this.#shapes.set(key, shape);
      if (shape.name) this.#byName.set(shape.name, shape);
    }
    if (!shape.name || shape.refused || ++shape.runs < this.after) return null;
    const values: unknown[] = [];
    for (const p of params) {
      if (Array.isArray(p)) values.push(...(p as unknown[]));
      else values.push(p);
    }
    return { name: shape.name, values };
  }

  /**
   * Too many shapes (statements built with ever new text): the ones never executed go first. The
   * definitions of executed ones stay a while longer, as an EXECUTE may be on its way to a
   * connection that has still to prepare it.
   */
  #forget(): void {
    for (const [key, shape] of this.#shapes) {
      if (shape.runs >= this.after && !shape.refused) continue;
      this.#shapes.delete(key);
      if (shape.name) this.#byName.delete(shape.name);
    }
    if (this.#shapes.size >= this.maxShapes / 2) this.#shapes.clear();
    if (this.#byName.size >= this.maxShapes * 2) this.#byName.clear();
  }

  /** The statement a prepared name stands for ($-numbered), if this process made it. */
  definition(name: string): string | undefined {
    return this.#byName.get(name)?.definition;
  }

  /** PostgreSQL refused to prepare it: the shape runs inlined from now on. */
  refused(name: string, error: Error): void {
    const shape = this.#byName.get(name);
    if (!shape || shape.refused) return;
    shape.refused = true;
    this.onRefused(name, shape.definition, error);
  }

  /**
   * The $-numbered definition, with the placeholders read as the ORM reads them (`\?` is a
   * question mark, a list fills one per item). Shapes that carry identifiers (`??`) or SQL
   * fragments as values are never prepared.
   */
  #shape(sql: string, params: readonly unknown[]): Shape {
    let out = '';
    let pos = 0;
    let n = 0;
    let i = 0;
    for (;;) {
      const at = sql.indexOf('?', pos);
      if (at === -1) break;
      if (sql[at - 1] === '\\') {
        out += sql.slice(pos, at - 1) + '?';
        pos = at + 1;
        continue;
      }
      if (sql[at + 1] === '?') return { name: null, definition: sql, runs: 0, refused: true };
      const p = params[i++];
      if (!preparable(p)) return { name: null, definition: sql, runs: 0, refused: true };
      const count = Array.isArray(p) ? p.length : 1;
      out += sql.slice(pos, at) + Array.from({ length: count }, () => `$${++n}`).join(', ');
      pos = at + 1;
    }
    if (i !== params.length) return { name: null, definition: sql, runs: 0, refused: true };
    const definition = out + sql.slice(pos);
    const name = `w_${createHash('sha1').update(definition).digest('hex').slice(0, 24)}`;
    return { name, definition, runs: 0, refused: false };
  }
}

interface Shape {
  /** Null: never prepared (see #shape). */
  name: string | null;
  definition: string;
  runs: number;
  refused: boolean;
}

/** A value the ORM inlines as one literal (or a list of them): not an SQL fragment of its own. */
function preparable(p: unknown): boolean {
  if (p === null || p === undefined || typeof p !== 'object') return true;
  if (Array.isArray(p)) return p.every((v) => v === null || typeof v !== 'object' || v instanceof Date);
  if (p instanceof Date || ArrayBuffer.isView(p)) return true;
  const proto = Object.getPrototypeOf(p) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * How the ORM's pool and its clients are given the prepared statements: in `driverOptions`, as a
 * function (the ORM copies its options, and a copy would be a different registry).
 */
export interface WithPreparedStatements {
  preparedStatements?: () => PreparedStatements;
}

/** The ORM's prepared statements (see WithPreparedStatements), if any. */
export function preparedStatementsOf(em: EntityManager): PreparedStatements | undefined {
  return (em.config.get('driverOptions') as WithPreparedStatements | undefined)?.preparedStatements?.();
}

/**
 * The text to send for a hot write's statement: `execute "w_…"(<values>)` once its shape is
 * prepared, else the statement with its values inlined by the ORM. The EXECUTE's values are
 * quoted here, as the ORM would inline them (its `formatQuery` built each as a string of strings,
 * a tenth of W4's allocations).
 */
export function statementText(em: EntityManager, sql: string, params: readonly unknown[]): { sql: string; params: unknown[] } {
  const prepared = preparedStatementsOf(em)?.prepared(sql, params);
  if (!prepared) return { sql, params: [...params] };
  const platform = em.getPlatform() as unknown as { formatDate(d: Date): string };
  let text = `execute "${prepared.name}"`;
  for (let i = 0; i < prepared.values.length; i++) text += `${i === 0 ? '(' : ', '}${literal(prepared.values[i], platform)}`;
  return { sql: prepared.values.length ? `${text})` : text, params: [] };
}

/** Runs a hot write's statement, prepared once its shape is (see PreparedStatements). */
export function executePrepared<T extends object[] = Record<string, unknown>[]>(em: EntityManager, sql: string, params: readonly unknown[]): Promise<T> {
  const s = statementText(em, sql, params);
  return em.execute<T>(s.sql, s.params);
}

/** A value as an SQL literal, as the ORM's PostgreSQL platform inlines it (`quoteValue`). */
export function literal(v: unknown, platform: { formatDate(d: Date): string }): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'number':
      if (!Number.isFinite(v)) throw new Error(`not a finite number: ${v}`);
      return String(v);
    case 'bigint':
    case 'boolean':
      return String(v);
    case 'string':
      return quote(v);
  }
  if (v instanceof Date) return `'${platform.formatDate(v)}'`;
  if (ArrayBuffer.isView(v)) return `E'\\\\x${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')}'`;
  return quote(JSON.stringify(v));
}

/** A string literal: quotes doubled; with backslashes, an escape string (E'…') with them doubled. */
function quote(s: string): string {
  const quoted = s.includes("'") ? s.replaceAll("'", "''") : s;
  return s.includes('\\') ? `E'${quoted.replaceAll('\\', '\\\\')}'` : `'${quoted}'`;
}
