/**
 * Rows per multi-row INSERT. One statement binds every column of every row, and the engines cap the parameters of a
 * statement (SQLite 32,766, PostgreSQL 65,535): a person can have thousands of leads (anyone may send the form with
 * their email), so a record per lead goes in statements of this many rows.
 */
export const ROWS_PER_INSERT = 500;

/** Ids per `IN (...)` list, well under both engines' limits (one parameter each). */
export const IDS_PER_STATEMENT = 10_000;

/** `rows` in consecutive slices of at most `size`. */
export function batches<T>(rows: readonly T[], size = ROWS_PER_INSERT): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}
