/**
 * One transaction on a client of its own: `begin` (BEGIN, and whatever must run first in it, such as an
 * advisory lock), then f, then COMMIT; ROLLBACK on any failure, and the client back to the pool either way.
 */
import type pg from 'pg';

export async function inTransaction<T>(pool: pg.Pool, begin: string, f: (c: pg.ClientBase) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query(begin);
    const out = await f(c);
    await c.query('COMMIT');
    return out;
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    c.release();
  }
}
