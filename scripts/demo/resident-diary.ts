/**
 * Last night's diary, kept by the demo's resident the way a resident keeps it
 * (issue 10, DESIGN §6b): the officer issues the diary link (`earshot deploy
 * link`, the link the install sheet carries) and the entries go to the
 * resident's API (POST /r/api/entries, the link's token as a bearer token) as
 * the phone's page sends them. Each is about a stretch of the synthesised night
 * (firmware/src/demo/night-scene.ts), so the bundle's diary section has the
 * monitor's levels to set beside it. They are written now — the morning after,
 * as residents often write — so none is flagged as sent late.
 *
 * Demonstration data like the rest of the demo: the case holds only a
 * demonstration deployment, so every bundle of it marks its diary rows and
 * pages (ingest/src/cases/demonstration.ts); the demo never writes to a real case.
 *
 * Sent once (demo.json records it). A start stopped part-way sends, at the next
 * start and through a new link, only the entries the resident's page does not
 * list yet (GET /r/api/diary lists every entry sent through the deployment's
 * links), so no entry is stored twice.
 */
import { NIGHT_SCENE } from '../../firmware/src/demo/night-scene.ts';

export interface DemoDiaryEntry {
  /** Seconds after the night's start (22:00 UK time), as night-scene.ts times its sounds. */
  from: number;
  to: number;
  heard: string;
  effect: string;
}

/** The start of the minute after `s` seconds (a resident gives minutes, and rounds an ending up). */
const minuteAfter = (s: number): number => (Math.floor(s / 60) + 1) * 60;
const [music, musicAgain] = NIGHT_SCENE.music;
const [voices] = NIGHT_SCENE.voices;
const slamAfterMidnight = NIGHT_SCENE.slams[1];

/** What the resident wrote about last night: the music (its start a resident's guess, five minutes early), the shouting and the slam after midnight, the music again. */
export const DEMO_DIARY: readonly DemoDiaryEntry[] = [
  {
    from: music.from - 5 * 60, to: music.to,
    heard: 'Bass through the bedroom wall from next door, a constant thump, on and on.',
    effect: 'Could not sleep. Ended up on the sofa with a pillow over my head.',
  },
  {
    from: voices.from, to: minuteAfter(slamAfterMidnight.at),
    heard: 'Shouting next door over the music, then a door slammed so hard the wall shook. I pressed the button on the monitor.',
    effect: 'It woke my daughter and she was frightened.',
  },
  {
    from: musicAgain.from, to: musicAgain.to,
    heard: 'The music started up again in the early hours, and another door slam.',
    effect: 'Awake again for most of an hour, and up at seven for work.',
  },
];

export interface SendDiaryOptions {
  /** The diary URL `earshot deploy link` printed: <base>/r/#<token>. */
  url: string;
  nightStartMs: number;
  now?: () => number;
}

export interface SentDiary {
  sent: number;
  /** Entries the resident's page already listed (sent by a start stopped part-way). */
  already: number;
}

/** The name of the error thrown when the service refused an entry as invalid: sending it again cannot help. */
export const DIARY_REFUSED = 'DiaryRefused';

interface ApiError { code?: string; message?: string }

async function call(url: string, token: string, init: { method: 'GET' | 'POST'; body?: unknown }): Promise<unknown> {
  const r = await fetch(url, {
    method: init.method,
    headers: { authorization: `Bearer ${token}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const body = (await r.json().catch(() => ({}))) as unknown;
  if (r.ok) return body;
  const e = body as ApiError;
  const err = new Error(`${e.code ?? `HTTP ${r.status}`}: ${e.message ?? 'no message'}`);
  if (e.code === 'EARSHOT_E_RESIDENT_ENTRY_INVALID') err.name = DIARY_REFUSED;
  throw err;
}

/** Sends the entries the resident's page does not list yet. */
export async function sendDemoDiary(o: SendDiaryOptions): Promise<SentDiary> {
  const at = o.url.indexOf('/r/#');
  if (at < 0) throw new Error(`not a diary link: ${o.url}`);
  const api = `${o.url.slice(0, at)}/r/api`;
  const token = o.url.slice(at + 4);
  const iso = (s: number): string => new Date(o.nightStartMs + s * 1000).toISOString();
  const listed = (await call(`${api}/diary`, token, { method: 'GET' })) as { entries: { startedAt: string; heard: string | null }[] };
  const seen = new Set(listed.entries.map((e) => `${Date.parse(e.startedAt)} ${e.heard ?? ''}`));
  let sent = 0;
  let already = 0;
  for (const [k, e] of DEMO_DIARY.entries()) {
    if (seen.has(`${Date.parse(iso(e.from))} ${e.heard}`)) {
      already++;
      continue;
    }
    await call(`${api}/entries`, token, {
      method: 'POST',
      body: {
        // The phone's own id for the entry (entry-input.ts): a resend through the same link is stored once.
        clientId: `demo-night-${o.nightStartMs}-${k + 1}`,
        writtenAt: new Date((o.now ?? Date.now)()).toISOString(),
        startedAt: iso(e.from), endedAt: iso(e.to), heard: e.heard, effect: e.effect,
      },
    });
    sent++;
  }
  return { sent, already };
}
