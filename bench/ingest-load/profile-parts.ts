/**
 * The parts of the ingest a CPU profile's samples are counted under
 * (profile-serve.ts): the garbage collector, V8 and a socket write by the
 * sample's own frame; otherwise the innermost frame of the stack that is the
 * ingest's or a library's code (so SQLite's time in a statement counts under
 * the code that ran it, an Ed25519 signature under the receipts); otherwise
 * Node's own part the stack is in.
 */
interface Frame {
  readonly functionName: string;
  readonly url: string;
}

type Part = readonly [string, (f: Frame) => boolean];

const OWN: readonly Part[] = [
  ['garbage collector', (f) => f.functionName === '(garbage collector)'],
  ['(program: V8 and native work outside JavaScript)', (f) => f.functionName === '(program)'],
  ['socket write (kernel)', (f) => /^(writeBuffer|writev|writeUtf8String|writeLatin1String)$/.test(f.functionName)],
];

const CODE: readonly Part[] = [
  ['logging (pino)', (f) => /node_modules\/(pino|sonic-boom)/.test(f.url)],
  ['stored receipts (ledger reads, signing)', (f) => /ingest\/src\/receipts\/|shared\/src\/receipt\.ts/.test(f.url)],
  ['rollups', (f) => /timeline\/rollup-batch/.test(f.url)],
  ['levels writer (rows, bands, blocks)', (f) => /ingest\/src\/store\/level/.test(f.url)],
  ['SQLite BEGIN/SAVEPOINT/COMMIT (fsync)', (f) => /better-sqlite3\/lib\/methods\/transaction/.test(f.url)],
  ['ledger, status, evidence rows', (f) => /ingest\/src\/store\//.test(f.url)],
  ['prepare workers: verify, JSON, schema', (f) => /pipeline\/workers\/prepare(-worker)?\.ts|pipeline\/steps\/(open|verify|validate)\.ts|shared\/src\/envelope/.test(f.url)],
  ['worker messages', (f) => /pipeline\/workers\//.test(f.url) || f.functionName === 'receiveMessageOnPort' || f.functionName === 'postMessage'],
  ['pipeline steps', (f) => /ingest\/src\/pipeline\//.test(f.url)],
  ['config sync, device registry', (f) => /service\/device-config|devices\/registry|service\/serve/.test(f.url)],
  ['CONNECT checks (authenticate, gate, guard)', (f) => /broker\/(authenticate|connection-gate|frame-guard|rate-limit)/.test(f.url)],
  ['broker glue (group commit, authorize, retained)', (f) => /ingest\/src\/broker\//.test(f.url)],
  ['aedes, mqtt-packet, qlobber', (f) => /node_modules\/(aedes|mqtt-packet|qlobber|mqemitter|bl|fastparallel|fastfall|reusify|readable-stream|retimer|process-nextick)/.test(f.url)],
  ['other ingest code', (f) => /ingest\/src\/|shared\/src\//.test(f.url)],
];

const NODE: readonly Part[] = [
  ['sockets and streams (node)', (f) => /node:(net|stream|internal\/streams|internal\/stream_base_commons)/.test(f.url) || f.functionName === 'onStreamRead'],
  ['timers', (f) => /node:internal\/timers/.test(f.url)],
  ['crypto (node)', (f) => /node:internal\/crypto/.test(f.url)],
  ['worker threads (node)', (f) => /node:internal\/(worker|event_target|per_context\/messageport)/.test(f.url)],
];

const first = (parts: readonly Part[], frames: readonly Frame[]): string | null => {
  for (const f of frames) for (const [name, test] of parts) if (test(f)) return name;
  return null;
};

/** The part of one sample, from its frames innermost first. */
export function partOf(frames: readonly Frame[]): string {
  return (frames.length > 0 ? first(OWN, [frames[0]!]) : null) ?? first(CODE, frames) ?? first(NODE, frames) ?? 'other';
}
