/**
 * Transaction-scoped advisory locks (https://www.postgresql.org/docs/15/explicit-locking.html#ADVISORY-LOCKS),
 * in Earshot's own key space: pg_advisory_xact_lock(EARSHOT_LOCK_CLASS, object). Released by COMMIT or
 * ROLLBACK, and by the server when the connection dies, so a killed process never holds one.
 */
/** 0x45415253, "EARS": the first key of every Earshot advisory lock. */
export const EARSHOT_LOCK_CLASS = 0x45415253;

export const LOCK = {
  /** Applying schema migrations. */
  schema: 1,
  /** Appending to the evidence log. */
  evidenceAppend: 2,
} as const;
