/**
 * The resident's diary link (issue 13, DESIGN §6b):
 * `earshot deploy link --deployment N [--base-url URL] [--config FILE] [--by NAME]` prints one line, the
 *    diary URL; issuing a new one revokes the old.
 * `earshot deploy link --deployment N --revoke [--by NAME]` withdraws the live link (a lost phone, a leaked sheet).
 * `earshot deploy sheet --deployment N --out FILE.pdf [--contact TEXT] [--base-url URL] [--config FILE] [--by NAME] [--allow-local]`
 *    writes the one-page install sheet with a new link as text and as a QR code.
 * Either takes --help.
 *
 * The link is kept only as its hash, so a sheet always carries a newly issued
 * link (and the one before stops working). The URL is the service's HTTP
 * address: --base-url, else the settings' http.publicUrl, else http://host:port.
 *
 * An address only this machine can open (issue 10: 127.0.0.1, localhost, ::1,
 * 0.0.0.0 — resident/link-address.ts) is no use on a resident's phone.
 * `deploy link` still prints the URL as its one line on stdout (DESIGN §6b) and
 * says so on stderr, one sentence with EARSHOT_E_RESIDENT_LINK_LOCAL_ONLY and
 * how to give the public address. `deploy sheet` is for printing and handing
 * over, and a sheet with a link the resident cannot open is worse than none:
 * when the address is the fallback http://<http.host>:<http.port> (nobody chose
 * it) and is local-only, it exits 2 with that code, writing no sheet and
 * issuing no link (the old link keeps working); an address given with
 * --base-url or http.publicUrl was chosen, so the sheet is written with the
 * warning; --allow-local writes it from the fallback too (a test on this
 * machine), with the warning.
 */
import { writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { errors, formatError, parseCommand } from '@earshot/shared';
import { z } from 'zod';
import { type Deployment, deploymentSteps } from '../cases/deployments.ts';
import { type IssuedLink, issueLinkSteps, revokeLinksSteps } from '../resident/links.ts';
import { newLinkToken } from '../resident/token.ts';
import { residentUrl } from '../resident/index.ts';
import { renderInstallSheet } from '../resident/install-sheet.ts';
import { localOnlyReason } from '../resident/link-address.ts';
import { loadSettings, publicHttpUrl } from '../service/settings.ts';
import type { Steps } from '../storage/record/steps.ts';
import { type Command, DATA_DIR_OPTION } from './context.ts';
import { withRecordStore } from './with-record-store.ts';

const BaseUrl = z.string().regex(/^https?:\/\/[^\s/#?]+(\/[^\s#?]*)?$/, 'must be an http:// or https:// address');

const LINK_OPTIONS = { ...DATA_DIR_OPTION, deployment: { type: 'string' }, 'base-url': { type: 'string' }, config: { type: 'string' }, by: { type: 'string' } } as const;
const linkSchema = {
  positionals: z.array(z.string()).max(0), 'data-dir': z.string().optional(), deployment: z.coerce.number().int().positive(),
  'base-url': BaseUrl.optional(), config: z.string().optional(), by: z.string().trim().min(1).max(100).optional(),
};

const actor = (by: string | undefined): string => by ?? `command line (${userInfo().username})`;

/** The link's address, and whether someone chose it (--base-url, http.publicUrl) rather than it falling back to http.host:port. */
function baseUrl(a: { 'base-url'?: string | undefined; config?: string | undefined }): { url: string; chosen: boolean } {
  if (a['base-url'] !== undefined) return { url: a['base-url'], chosen: true };
  const settings = loadSettings(a.config);
  return { url: publicHttpUrl(settings), chosen: settings.http.publicUrl !== undefined };
}

function localOnlyLine(reason: string, more = ''): string {
  const detail = `${reason}; give the address phones reach the service at with --base-url or the settings' http.publicUrl${more}`;
  return `EARSHOT_E_RESIDENT_LINK_LOCAL_ONLY: ${formatError('EARSHOT_E_RESIDENT_LINK_LOCAL_ONLY', detail)}`;
}

const LINK_USAGE = `usage: earshot deploy link --deployment N [--base-url URL] [--config FILE] [--by NAME] [--data-dir DIR]
       earshot deploy link --deployment N --revoke [--by NAME] [--data-dir DIR]
Prints one line, the resident's diary URL for the deployment; issuing a new one makes the previous one stop working.
The address is --base-url, else the settings' http.publicUrl, else http://<http.host>:<http.port>. If it is one only
this machine can open (127.0.0.1, localhost, ::1, 0.0.0.0), the URL is still printed and stderr says so
(EARSHOT_E_RESIDENT_LINK_LOCAL_ONLY). --revoke withdraws the live link (a lost phone, a leaked sheet).`;

const SHEET_USAGE = `usage: earshot deploy sheet --deployment N --out FILE.pdf [--contact TEXT] [--base-url URL] [--config FILE] [--by NAME] [--allow-local] [--data-dir DIR]
Writes the one-page install sheet for the resident, with a new diary link as text and as a QR code (the previous link stops working).
The address is --base-url, else the settings' http.publicUrl, else http://<http.host>:<http.port>. A sheet is printed to be
handed over, so when that last address is one only this machine can open (127.0.0.1, localhost, ::1, 0.0.0.0) no sheet is
written and no link issued (exit 2, EARSHOT_E_RESIDENT_LINK_LOCAL_ONLY): give the public address with --base-url or
http.publicUrl, or --allow-local to write it anyway for a test on this machine. A local address given with --base-url or
http.publicUrl is written, with that warning on stderr.`;

const wantsHelp = (args: readonly string[]): boolean => args.includes('--help') || args.includes('-h');

/** A new link and the deployment it is for, in one transaction. */
function* issueWithDeployment(deploymentId: number, by: string, nowMs: number): Steps<{ issued: IssuedLink; d: Deployment }> {
  const issued = yield* issueLinkSteps(deploymentId, by, newLinkToken(), nowMs);
  return { issued, d: yield* deploymentSteps(deploymentId) };
}

const link: Command = (args, io) => {
  if (wantsHelp(args)) {
    io.out(LINK_USAGE);
    return 0;
  }
  const a = parseCommand(args, { ...LINK_OPTIONS, revoke: { type: 'boolean' } }, z.object({ ...linkSchema, revoke: z.boolean().default(false) }));
  return withRecordStore(a['data-dir'], 'write', async (record) => {
    if (a.revoke) {
      const ids = await record.write(revokeLinksSteps(a.deployment, actor(a.by), 'withdrawn by the officer', record.now()));
      io.out(ids.length === 0 ? `Deployment ${a.deployment} had no live diary link.` : `Diary link withdrawn for deployment ${a.deployment}: it no longer works.`);
      return 0;
    }
    const base = baseUrl(a);
    const issued = await record.write(issueLinkSteps(a.deployment, actor(a.by), newLinkToken(), record.now()));
    io.out(residentUrl(base.url, issued.token));
    const local = localOnlyReason(base.url);
    if (local !== null) io.err(`earshot: warning: ${localOnlyLine(local)}`);
    return 0;
  });
};

const sheet: Command = (args, io) => {
  if (wantsHelp(args)) {
    io.out(SHEET_USAGE);
    return 0;
  }
  const a = parseCommand(args, { ...LINK_OPTIONS, out: { type: 'string' }, contact: { type: 'string' }, 'allow-local': { type: 'boolean' } }, z.object({
    ...linkSchema, out: z.string().regex(/\.pdf$/i, '--out must name a .pdf file'), contact: z.string().trim().min(1).max(300).optional(),
    'allow-local': z.boolean().default(false),
  }));
  const base = baseUrl(a);
  const local = localOnlyReason(base.url);
  // Refused before the data folder is opened: no link is issued, so the resident's current one keeps working.
  if (local !== null && !base.chosen && !a['allow-local']) {
    io.err(`earshot: ${localOnlyLine(local, ', or --allow-local to write it anyway for a test on this machine; no sheet was written')}`);
    return errors.EARSHOT_E_RESIDENT_LINK_LOCAL_ONLY.exit;
  }
  return withRecordStore(a['data-dir'], 'write', async (record) => {
    const { issued, d } = await record.write(issueWithDeployment(a.deployment, actor(a.by), record.now()));
    const pdf = await renderInstallSheet({
      url: residentUrl(base.url, issued.token), caseRef: d.caseRef, deploymentId: d.id, installedAt: d.installedAt, audioMode: d.audioMode,
      contact: a.contact ?? null, generatedAt: new Date().toISOString(),
    });
    writeFileSync(a.out, pdf);
    io.out(`Install sheet for deployment ${d.id} written to ${a.out}, with a new diary link${issued.revoked.length > 0 ? ' (the previous link no longer works)' : ''}.`);
    if (local !== null) io.err(`earshot: warning: ${localOnlyLine(local)}`);
    return 0;
  });
};

export const deployLinkCommands: Record<string, Command> = { link, sheet };
