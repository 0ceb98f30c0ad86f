/**
 * The resident's diary link (issue 13, DESIGN §6b):
 * `earshot deploy link --deployment N [--base-url URL] [--config FILE] [--by NAME]` prints one line, the
 *    diary URL; issuing a new one revokes the old.
 * `earshot deploy link --deployment N --revoke [--by NAME]` withdraws the live link (a lost phone, a leaked sheet).
 * `earshot deploy sheet --deployment N --out FILE.pdf [--contact TEXT] [--base-url URL] [--config FILE] [--by NAME]`
 *    writes the one-page install sheet with a new link as text and as a QR code.
 *
 * The link is kept only as its hash, so a sheet always carries a newly issued
 * link (and the one before stops working). The URL is the service's HTTP
 * address: --base-url, else the settings' http.publicUrl, else http://host:port.
 */
import { writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { parseCommand } from '@earshot/shared';
import { z } from 'zod';
import { listDeployments } from '../cases/index.ts';
import { issueLink, residentUrl, revokeLinks } from '../resident/index.ts';
import { renderInstallSheet } from '../resident/install-sheet.ts';
import { loadSettings, publicHttpUrl } from '../service/settings.ts';
import type { Ingest } from '../service/open-ingest.ts';
import { accessPortFor, createAccessLog } from '../users/index.ts';
import { type Command, DATA_DIR_OPTION } from './context.ts';
import { withIngest } from './with-ingest.ts';

const BaseUrl = z.string().regex(/^https?:\/\/[^\s/#?]+(\/[^\s#?]*)?$/, 'must be an http:// or https:// address');

const LINK_OPTIONS = { ...DATA_DIR_OPTION, deployment: { type: 'string' }, 'base-url': { type: 'string' }, config: { type: 'string' }, by: { type: 'string' } } as const;
const linkSchema = {
  positionals: z.array(z.string()).max(0), 'data-dir': z.string().optional(), deployment: z.coerce.number().int().positive(),
  'base-url': BaseUrl.optional(), config: z.string().optional(), by: z.string().trim().min(1).max(100).optional(),
};

const actor = (by: string | undefined): string => by ?? `command line (${userInfo().username})`;

function baseUrl(a: { 'base-url'?: string | undefined; config?: string | undefined }): string {
  return a['base-url'] ?? publicHttpUrl(loadSettings(a.config));
}

function linksContext(ingest: Ingest) {
  return { db: ingest.db, accessLog: createAccessLog(ingest.db, accessPortFor(ingest.log)), now: Date.now };
}

const link: Command = (args, io) => {
  const a = parseCommand(args, { ...LINK_OPTIONS, revoke: { type: 'boolean' } }, z.object({ ...linkSchema, revoke: z.boolean().default(false) }));
  return withIngest(a['data-dir'], (ingest) => {
    const ctx = linksContext(ingest);
    if (a.revoke) {
      const ids = revokeLinks(ctx, a.deployment, actor(a.by), 'withdrawn by the officer');
      io.out(ids.length === 0 ? `Deployment ${a.deployment} had no live diary link.` : `Diary link withdrawn for deployment ${a.deployment}: it no longer works.`);
      return 0;
    }
    const base = baseUrl(a);
    const issued = issueLink(ctx, a.deployment, actor(a.by));
    io.out(residentUrl(base, issued.token));
    return 0;
  });
};

const sheet: Command = (args, io) => {
  const a = parseCommand(args, { ...LINK_OPTIONS, out: { type: 'string' }, contact: { type: 'string' } }, z.object({
    ...linkSchema, out: z.string().regex(/\.pdf$/i, '--out must name a .pdf file'), contact: z.string().trim().min(1).max(300).optional(),
  }));
  return withIngest(a['data-dir'], async (ingest) => {
    const base = baseUrl(a);
    const issued = issueLink(linksContext(ingest), a.deployment, actor(a.by));
    const d = listDeployments(ingest.db, {}).find((x) => x.id === a.deployment)!;
    const pdf = await renderInstallSheet({
      url: residentUrl(base, issued.token), caseRef: d.caseRef, deploymentId: d.id, installedAt: d.installedAt, audioMode: d.audioMode,
      contact: a.contact ?? null, generatedAt: new Date().toISOString(),
    });
    writeFileSync(a.out, pdf);
    io.out(`Install sheet for deployment ${d.id} written to ${a.out}, with a new diary link${issued.revoked.length > 0 ? ' (the previous link no longer works)' : ''}.`);
    return 0;
  });
};

export const deployLinkCommands: Record<string, Command> = { link, sheet };
