/** Stored receipts (DESIGN §4): each device's receipted seq, so a restart need not find it again from the whole message ledger. */
import type { Migration } from '../db/migrate.ts';

export const receiptsMigrations: readonly Migration[] = [
  {
    name: 'receipts-001-marks',
    sql: `
      -- The highest seq n receipted to the device: every signed message with seq <= n is
      -- durably stored (messages) or quarantined. A lower bound kept for speed only (written
      -- a few seconds after the receipt): the truth is the ledger, read forward from here.
      CREATE TABLE receipt_marks (
        device TEXT PRIMARY KEY,
        stored INTEGER NOT NULL,
        at INTEGER NOT NULL
      ) STRICT;
    `,
  },
];
