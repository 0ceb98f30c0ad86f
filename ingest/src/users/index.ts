/** Officer accounts, sessions and the access log (issue 5). */
export { usersMigrations } from './migrations.ts';
export { createUsers, LOGIN_HASHING, TOKEN_BYTES, TOKEN_LIFETIME_MS, type Account, type Session, type Users, type UsersOptions } from './users.ts';
export { FairQueue, QueueFullError, type FairQueueOptions } from './fair-queue.ts';
export { NewUser, Role, Username, type User } from './user-input.ts';
export { OWASP_SCRYPT, hashPassword, checkPassword, type ScryptParams, type PasswordHash } from './password.ts';
export { MAX_FAILURES, FAILURE_WINDOW_MS, LOCKOUT_MS } from './login-throttle.ts';
export { createAccessLog, accessPortFor, type AccessLog, type AccessAction, type AccessEntry, type AccessRecord, type AccessEvidencePort, type AccessLeafInput } from './access-log.ts';
