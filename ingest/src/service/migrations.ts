/** Every area's schema, in the order the service applies them (db/migrate.ts). */
import { casesMigrations } from '../cases/index.ts';
import type { Migration } from '../db/migrate.ts';
import { devicesMigrations } from '../devices/migrations.ts';
import { evidenceMigrations } from '../evidence/index.ts';
import { storeMigrations } from '../store/migrations.ts';
import { timelineMigrations } from '../timeline/index.ts';
import { usersMigrations } from '../users/index.ts';

/** The retained config last published to each device, with its version. */
const serviceMigrations: readonly Migration[] = [
  {
    name: 'service-001-device-configs',
    sql: `CREATE TABLE device_configs (
      device TEXT PRIMARY KEY,
      version INTEGER NOT NULL,
      config TEXT NOT NULL,
      published_at INTEGER NOT NULL
    ) STRICT;`,
  },
];

export const ALL_MIGRATIONS: readonly Migration[] = [
  ...devicesMigrations,
  ...storeMigrations,
  ...evidenceMigrations,
  ...casesMigrations,
  ...timelineMigrations,
  ...usersMigrations,
  ...serviceMigrations,
];
