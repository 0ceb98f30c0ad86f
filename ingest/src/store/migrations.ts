/**
 * Tables of what devices send (DESIGN §4). Times are integers in ms since the
 * Unix epoch (UTC); device time and server receipt time are kept side by side.
 */
import type { Migration } from '../db/migrate.ts';

/**
 * Columns every evidence row has: device time beside server receipt time, the
 * device clock from its last heartbeat (issue 4), the case it was attached to
 * and its evidence-log leaf. Part of store-001: frozen, never edited.
 */
const EVIDENCE_COLUMNS_V1 = `device_time INTEGER NOT NULL,
        received_at INTEGER NOT NULL,
        clock_synced INTEGER,
        clock_offset_ms REAL,
        clock_flag TEXT,
        case_ref TEXT,
        attach_reason TEXT,
        leaf_index INTEGER,`;

export const storeMigrations: readonly Migration[] = [
  {
    name: 'store-001-messages',
    sql: `
      -- Every (device, seq) accepted, with the SHA-256 of its exact envelope bytes:
      -- redelivery of the same message is recognised, reuse of a seq for other bytes is not allowed.
      CREATE TABLE messages (
        device TEXT NOT NULL,
        seq INTEGER NOT NULL,
        type TEXT NOT NULL,
        envelope_sha256 BLOB NOT NULL,
        received_at INTEGER NOT NULL,
        PRIMARY KEY (device, seq)
      ) STRICT, WITHOUT ROWID;

      -- 1 s level records. Keyed by time first: devices append interleaved at "now", so
      -- new rows land at the right edge of the B-tree instead of in one page per device
      -- (bench/ingest-levels.ts measures both orders). Per-device queries over a period
      -- scan the time range.
      CREATE TABLE levels (
        t INTEGER NOT NULL,
        device TEXT NOT NULL,
        d REAL NOT NULL,
        laeq REAL, lceq REAL, lzeq REAL, lafmax REAL, lafmin REAL, lasmax REAL, lcpeak REAL,
        clipped INTEGER,
        silent INTEGER NOT NULL,
        n INTEGER,
        full_scale_db REAL NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (t, device)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE status (
        device TEXT NOT NULL,
        seq INTEGER NOT NULL,
        sent_at INTEGER NOT NULL,
        received_at INTEGER NOT NULL,
        clock_synced INTEGER,
        clock_offset_ms REAL,
        body TEXT NOT NULL,
        PRIMARY KEY (device, seq)
      ) STRICT;

      -- Events and incident marks: evidence. The exact signed bytes are kept so the
      -- device's signature can be checked again at any time.
      CREATE TABLE events (
        device TEXT NOT NULL,
        seq INTEGER NOT NULL,
        event_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        ${EVIDENCE_COLUMNS_V1}
        body TEXT NOT NULL,
        envelope BLOB NOT NULL,
        signature BLOB NOT NULL,
        PRIMARY KEY (device, seq)
      ) STRICT;
      CREATE INDEX events_case ON events (case_ref, device_time);
      CREATE INDEX events_event ON events (device, event_id);

      -- Clip manifests (evidence) and the state of their reassembly.
      CREATE TABLE clips (
        device TEXT NOT NULL,
        clip_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        event_id TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        chunks INTEGER NOT NULL,
        chunk_bytes INTEGER NOT NULL,
        ${EVIDENCE_COLUMNS_V1}
        state TEXT NOT NULL CHECK (state IN ('incomplete', 'complete', 'corrupt')),
        file TEXT, -- "<sha256>.wav", relative to the clips folder
        completed_at INTEGER,
        problem TEXT,
        body TEXT NOT NULL,
        envelope BLOB NOT NULL,
        signature BLOB NOT NULL,
        PRIMARY KEY (device, clip_id)
      ) STRICT;
      CREATE INDEX clips_case ON clips (case_ref, device_time);
      CREATE INDEX clips_state ON clips (state);

      -- Raw chunks until their clip is complete; they may arrive before the manifest.
      CREATE TABLE clip_chunks (
        device TEXT NOT NULL,
        clip_id TEXT NOT NULL,
        n INTEGER NOT NULL,
        data BLOB NOT NULL,
        received_at INTEGER NOT NULL,
        PRIMARY KEY (device, clip_id, n)
      ) STRICT, WITHOUT ROWID;

      -- Whatever could not be accepted, kept whole with the reason: nothing is dropped silently.
      CREATE TABLE quarantine (
        id INTEGER PRIMARY KEY,
        received_at INTEGER NOT NULL,
        client_id TEXT,
        device TEXT,
        topic TEXT NOT NULL,
        code TEXT NOT NULL,
        detail TEXT NOT NULL,
        raw BLOB NOT NULL
      ) STRICT;
      CREATE INDEX quarantine_device ON quarantine (device, received_at);
    `,
  },
  {
    name: 'store-002-quarantine-released',
    sql: `
      -- A quarantined message processed again and accepted (e.g. once its device's key was
      -- pinned) is released: the row stays, with when and as what (the outcome).
      ALTER TABLE quarantine ADD COLUMN released_at INTEGER;
      ALTER TABLE quarantine ADD COLUMN released_as TEXT;
    `,
  },
  {
    name: 'store-003-quarantine-quota',
    sql: `
      -- Issue 11 item 5: a quarantined payload counts against its device's quota and is purged
      -- after a time; the row stays with the payload's size and SHA-256 (hex). raw_dropped says
      -- why the payload is not held: 'refused' (not kept by design: a clip chunk over the orphan
      -- quota), 'purged' (retention), 'quota' (reserved).
      ALTER TABLE quarantine ADD COLUMN raw_bytes INTEGER;
      UPDATE quarantine SET raw_bytes = length(raw);
      ALTER TABLE quarantine ADD COLUMN raw_sha256 TEXT;
      ALTER TABLE quarantine ADD COLUMN raw_dropped TEXT CHECK (raw_dropped IN ('quota', 'refused', 'purged'));
      ALTER TABLE quarantine ADD COLUMN raw_dropped_at INTEGER;
      CREATE INDEX quarantine_received ON quarantine (received_at);
      CREATE INDEX quarantine_charged ON quarantine (device, raw_bytes) WHERE raw_dropped IS NULL OR raw_dropped = 'refused';
      -- Past its quota a device's refused messages are counted here, one row per device, code and
      -- UTC day, so that neither their payloads nor their rows can fill the disk.
      CREATE TABLE quarantine_overflow (
        device TEXT NOT NULL,
        code TEXT NOT NULL,
        day TEXT NOT NULL,
        messages INTEGER NOT NULL,
        bytes INTEGER NOT NULL,
        first_at INTEGER NOT NULL,
        last_at INTEGER NOT NULL,
        PRIMARY KEY (device, code, day)
      ) STRICT;
      -- Orphan chunks (no manifest) are purged by age.
      CREATE INDEX clip_chunks_received ON clip_chunks (received_at);
    `,
  },
];
