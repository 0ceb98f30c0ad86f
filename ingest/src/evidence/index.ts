/** The evidence log (DESIGN §5) and the offline checks of its proofs (DESIGN §6). */
export { EvidenceLog, type EvidenceLogOptions, type IssuedTreeHead } from './evidence-log.ts';
export { evidenceMigrations } from './migrations.ts';
export * from './leaf.ts';
export { type Appended, LogStore, type StoredLeaf } from './log-store.ts';
export { type ServerKey, SERVER_KEY_FILE, loadOrCreateServerKey, serverKeyFromPrivate } from './server-key.ts';
export * from './tree-head.ts';
export { type StoredTreeHead, TreeHeadStore } from './tree-head-store.ts';
export * from './tree-head-timer.ts';
export * from './verify-log.ts';
export * from './bundle-evidence.ts';
export * from './verify-bundle-proofs.ts';
export * from './merkle.ts';
export { MemoryTree } from './memory-tree.ts';
export { CompactRange } from './compact-range.ts';
