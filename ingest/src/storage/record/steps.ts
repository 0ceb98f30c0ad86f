/**
 * The record's storage port (issue 14): what a case, deployment or account operation reads and writes, as
 * steps a store carries out. An operation is written once, as a generator that yields each query and each
 * evidence leaf it needs and is handed back the answer; an adapter drives it inside one transaction:
 *
 * - SQLite (`sqlite-record.ts`) synchronously, inside a better-sqlite3 transaction, so the embedded service's
 *   web view and commands keep calling the operations synchronously, with nothing else able to run between
 *   two of its statements;
 * - PostgreSQL (`postgres-record.ts`) asynchronously, on one client inside BEGIN … COMMIT.
 *
 * The operation itself stays pure and synchronous: its decisions (what may change, what the leaf says) are
 * plain code between the steps. SQL in a step is the dialect both stores share: `?` placeholders, CAST(? AS
 * TEXT) where PostgreSQL must be told a parameter's type, RETURNING for a new row's id.
 */
import type { EvidenceLeafInput } from '../../cases/evidence-port.ts';

export type SqlValue = string | number | bigint | Buffer | null;

export type RecordStep =
  | { readonly op: 'get' | 'all' | 'run'; readonly sql: string; readonly params: readonly SqlValue[] }
  | { readonly op: 'append'; readonly leaf: EvidenceLeafInput }
  | { readonly op: 'has-table'; readonly table: string };

/** An operation on the record: yields steps, returns its result. */
export type Steps<T> = Generator<RecordStep, T, unknown>;

/** The first row, or undefined. */
export function* get<T>(sql: string, ...params: SqlValue[]): Steps<T | undefined> {
  return (yield { op: 'get', sql, params }) as T | undefined;
}

/** Every row. */
export function* all<T>(sql: string, ...params: SqlValue[]): Steps<T[]> {
  return (yield { op: 'all', sql, params }) as T[];
}

/** A statement that returns no rows; the number of rows it changed. */
export function* run(sql: string, ...params: SqlValue[]): Steps<number> {
  return (yield { op: 'run', sql, params }) as number;
}

/** Appends one leaf to the evidence log in the operation's transaction (DESIGN §5). */
export function* append(leaf: EvidenceLeafInput): Steps<{ readonly leafIndex: number }> {
  return (yield { op: 'append', leaf }) as { readonly leafIndex: number };
}

/**
 * Whether the store has a table: always on PostgreSQL, which holds every area's schema; on SQLite a
 * database made for one area alone (the cases' unit tests) may not.
 */
export function* hasTable(table: string): Steps<boolean> {
  return (yield { op: 'has-table', table }) as boolean;
}

/**
 * The record of one store, asynchronously: how the commands (and, as it moves onto the port, the web view)
 * reach cases, deployments and accounts on either store.
 */
export interface RecordStore {
  readonly store: 'sqlite' | 'postgres';
  /** Milliseconds since the epoch (the clock of the leaves' recordedAt). */
  now(): number;
  /** Runs an operation in one write transaction, serialised with every other writer of the record. */
  write<T>(steps: Steps<T>): Promise<T>;
  /** Runs an operation that only reads, in one consistent snapshot; an append step is refused. */
  read<T>(steps: Steps<T>): Promise<T>;
}
