/**
 * A SQL statement with its positional (`?`) parameters. The busiest writes (placeOrder,
 * checkout) gather the writes of several modules into their last statement as common table
 * expressions, one round trip instead of one each: a module hands over a Statement rather
 * than running it.
 */
export interface Statement {
  sql: string;
  params: unknown[];
}

/** A statement as a named common table expression of another (`"name" as (...)`). */
export function asCte(name: string, statement: Statement): Statement {
  return { sql: `"${name}" as (${statement.sql})`, params: statement.params };
}
