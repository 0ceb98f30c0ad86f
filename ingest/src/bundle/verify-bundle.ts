/**
 * The core of `earshot verify BUNDLE.zip` (DESIGN §6): every file listed in
 * MANIFEST.sha256 is present with that SHA-256 and no file is unlisted; every
 * leaf's inclusion proof leads to the signed tree head and the head's signature
 * holds (ingest/src/evidence verifyBundleProofs); and every exhibit is the clip
 * a proved leaf's signed clip manifest names. Every failure is returned as data
 * naming the file or leaf; the CLI decides the exit code (0 none, 1 any).
 */
import { type BundleFailure, type BundleEvidence, EVIDENCE_FILES, type TreeHead, verifyBundleProofs } from '../evidence/index.ts';
import { BundleLeafLine } from '../evidence/bundle-evidence.ts';
import { fromBase64 } from '../evidence/base64.ts';
import { clipHashOfLeaf, recordingHashOfLeaf } from './exhibit-proof.ts';
import { MANIFEST_FILE, parseManifest } from './manifest.ts';
import { type ReadZip, type ZipFileEntry, readBundleZip } from './read-zip.ts';

export interface VerifyBundleReport {
  readonly ok: boolean;
  readonly failures: readonly BundleFailure[];
  /** The signed tree head, when its signature holds. */
  readonly treeHead: TreeHead | null;
  readonly provedLeaves: number;
  /** Files whose SHA-256 matched the manifest. */
  readonly filesVerified: number;
}

/** Files every bundle has (DESIGN §6); exhibits vary. */
export const REQUIRED_FILES = ['bundle.pdf', 'data/levels.csv', 'data/events.csv', 'data/diary.csv', ...Object.values(EVIDENCE_FILES)] as const;

const isKept = (name: string): boolean => name === MANIFEST_FILE || name.startsWith('evidence/');

export async function verifyBundle(zipPath: string): Promise<VerifyBundleReport> {
  return checkBundle(await readBundleZip(zipPath, isKept));
}

/** The checks, on a read ZIP (pure). */
export function checkBundle(zip: ReadZip): VerifyBundleReport {
  const failures: BundleFailure[] = [];
  const byName = new Map<string, ZipFileEntry[]>();
  for (const e of zip.entries) byName.set(e.name, [...(byName.get(e.name) ?? []), e]);
  for (const [name, list] of byName) {
    if (list.length > 1) failures.push({ code: 'EARSHOT_E_BUNDLE_FILE_UNLISTED', detail: `${name} appears ${list.length} times in the ZIP`, file: name });
  }

  const filesVerified = checkManifest(byName, failures);
  const evidence = evidenceFiles(byName);
  if (evidence === null) return { ok: false, failures, treeHead: null, provedLeaves: 0, filesVerified };

  const proofs = verifyBundleProofs(evidence);
  failures.push(...proofs.failures);
  checkExhibits(byName, evidence, proofs.failures, proofs.treeHead !== null, failures);
  return { ok: failures.length === 0, failures, treeHead: proofs.treeHead, provedLeaves: proofs.provedLeaves, filesVerified };
}

function checkManifest(byName: Map<string, ZipFileEntry[]>, failures: BundleFailure[]): number {
  const manifestEntry = byName.get(MANIFEST_FILE)?.[0];
  if (manifestEntry?.bytes === undefined) {
    failures.push({ code: 'EARSHOT_E_BUNDLE_MANIFEST_MALFORMED', detail: `${MANIFEST_FILE} is not in the bundle`, file: MANIFEST_FILE });
    return 0;
  }
  const manifest = parseManifest(manifestEntry.bytes);
  if (!manifest.ok) {
    failures.push({ ...manifest.error, file: MANIFEST_FILE });
    return 0;
  }
  let verified = 0;
  const listed = new Set<string>();
  for (const { path, sha256 } of manifest.entries) {
    listed.add(path);
    const entry = byName.get(path)?.[0];
    if (entry === undefined) failures.push({ code: 'EARSHOT_E_BUNDLE_FILE_MISSING', detail: path, file: path });
    else if (entry.sha256 === null) failures.push({ code: 'EARSHOT_E_BUNDLE_FILE_HASH_MISMATCH', detail: `${path} cannot be read (${entry.readError ?? 'damaged'})`, file: path });
    else if (entry.sha256 !== sha256) failures.push({ code: 'EARSHOT_E_BUNDLE_FILE_HASH_MISMATCH', detail: `${path} hashes to ${entry.sha256}, manifest says ${sha256}`, file: path });
    else verified++;
  }
  for (const name of byName.keys()) {
    if (name !== MANIFEST_FILE && !listed.has(name)) failures.push({ code: 'EARSHOT_E_BUNDLE_FILE_UNLISTED', detail: name, file: name });
  }
  for (const name of REQUIRED_FILES) {
    if (!listed.has(name) && !byName.has(name)) failures.push({ code: 'EARSHOT_E_BUNDLE_FILE_MISSING', detail: `${name} (every bundle has it)`, file: name });
  }
  return verified;
}

function evidenceFiles(byName: Map<string, ZipFileEntry[]>): BundleEvidence | null {
  const get = (name: string): Buffer | undefined => byName.get(name)?.[0]?.bytes;
  const leaves = get(EVIDENCE_FILES.leaves);
  const proofs = get(EVIDENCE_FILES.proofs);
  const sth = get(EVIDENCE_FILES.sth);
  const sig = get(EVIDENCE_FILES.sig);
  const publicKey = get(EVIDENCE_FILES.publicKey);
  if (leaves === undefined || proofs === undefined || sth === undefined || sig === undefined || publicKey === undefined) return null;
  return { leaves, proofs, sth, sig, publicKey };
}

/** Each exhibits/*.wav must hash to a clip SHA-256 named by a proved leaf. */
function checkExhibits(byName: Map<string, ZipFileEntry[]>, evidence: BundleEvidence, proofFailures: readonly BundleFailure[], headHolds: boolean, failures: BundleFailure[]): void {
  const exhibits = [...byName.values()].map((l) => l[0]!).filter((e) => e.name.startsWith('exhibits/'));
  if (exhibits.length === 0) return;
  const unproved = new Set(proofFailures.map((f) => f.leafIndex));
  const wholeFileFailure = proofFailures.some((f) => f.leafIndex === undefined);
  const proved = new Set<string>();
  if (headHolds && !wholeFileFailure) {
    for (const line of evidence.leaves.toString('utf8').split('\n')) {
      if (line === '') continue;
      const parsed = BundleLeafLine.safeParse(JSON.parse(line));
      if (!parsed.success || unproved.has(parsed.data.leafIndex)) continue;
      const bytes = fromBase64(parsed.data.leaf);
      const hash = bytes === null ? null : clipHashOfLeaf(bytes);
      if (hash !== null) proved.add(hash);
      // Issue 13: a resident's phone recording is proved by the diary entry's leaf that sealed its hash.
      const recording = bytes === null ? null : recordingHashOfLeaf(bytes);
      if (recording !== null) proved.add(recording);
    }
  }
  for (const e of exhibits) {
    if (e.sha256 !== null && !proved.has(e.sha256)) {
      failures.push({ code: 'EARSHOT_E_BUNDLE_EXHIBIT_UNPROVED', detail: `${e.name} (SHA-256 ${e.sha256}) is named by no proved clip record`, file: e.name });
    }
  }
}
