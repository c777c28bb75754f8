import { v7 } from 'uuid';

/**
 * The id of a row that is only ever appended to a table that grows with every order (orders,
 * their lines, payments, points entries, kitchen tickets, audit entries): a version 7 UUID,
 * which begins with the time, so each new row goes on the last page of its primary key's index
 * (and of the indexes on columns that refer to it) instead of a random one. In a table of
 * millions of rows a random leaf page is mostly one not in memory and not written since the
 * last checkpoint: a read, and a whole page in the WAL. The remaining 74 bits are random, so
 * ids are no easier to guess; they do tell when the row was made, as its createdAt does.
 */
export function appendedRowId(): string {
  return v7();
}
