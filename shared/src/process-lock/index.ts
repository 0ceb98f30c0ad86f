export { type LockOptions, type ProcessLock, acquireProcessLock, commandLine, lockHolder } from './process-lock.ts';
export { type LockRecord, describeHolder } from './lock-record.ts';
