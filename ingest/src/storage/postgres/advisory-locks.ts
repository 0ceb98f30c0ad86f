/**
 * Advisory locks: transaction-scoped ones (https://www.postgresql.org/docs/15/explicit-locking.html#ADVISORY-LOCKS),
 * in Earshot's own key space: pg_advisory_xact_lock(EARSHOT_LOCK_CLASS, object). Released by COMMIT or
 * ROLLBACK, and by the server when the connection dies, so a killed process never holds one; and the
 * session-level leases of lease.ts (pg_try_advisory_lock), held as long as their connection lives.
 */
/** 0x45415253, "EARS": the first key of every Earshot advisory lock. */
export const EARSHOT_LOCK_CLASS = 0x45415253;

export const LOCK = {
  /** Applying schema migrations. */
  schema: 1,
  /** Appending to the evidence log. */
  evidenceAppend: 2,
  /** Changing the record (cases, deployments, accounts): storage/record/postgres-record.ts. */
  recordWrite: 3,
  /**
   * Sealing an hour's level and band blocks (block-sealer.ts), and each transaction of the retention purge
   * (purge-store.ts): the purge never deletes records a block is being made of.
   */
  blockSeal: 4,
} as const;

/**
 * The jobs that must run once across every `earshot serve` on one store (issue 15), each under its own
 * session lease (lease.ts): signing tree heads, the retention purge, publishing device configs, the
 * offline-monitor alerts, and sealing level blocks.
 */
export const LEASE = {
  'tree-heads': 10,
  retention: 11,
  'config-sync': 12,
  'offline-alerts': 13,
  'level-blocks': 14,
} as const;
export type LeaseRole = keyof typeof LEASE;
