/**
 * The configs in force on a monitor over a deployment span (issue 10): every
 * config the ingest published to the device (device_config_history, each an
 * evidence leaf), and from when the monitor itself reported running it (its
 * heartbeat's config.version, StatusBody). Where no heartbeat says, the
 * publication time stands, marked unconfirmed.
 */
import { Rule as RuleSchema, type Rule as DeviceRule } from '@earshot/shared';
import { z } from 'zod';
import type { Db } from '../db/open.ts';
import type { DeploymentSpan } from './spans.ts';

const StoredConfig = z.object({ rules: z.array(RuleSchema) });

export interface ConfigPeriod {
  readonly deviceId: string;
  readonly from: number;
  readonly to: number;
  /** 0 when no published config is on record (the service's rules stand in). */
  readonly version: number;
  /** The monitor's heartbeats reported this version over the period. */
  readonly confirmed: boolean;
  readonly rules: readonly DeviceRule[];
  readonly leafIndex: number | null;
}

interface HistoryRow { version: number; config: string; published_ms: number; leaf_index: number | null }

function rulesOf(text: string): DeviceRule[] | null {
  try {
    const r = StoredConfig.safeParse(JSON.parse(text));
    return r.success ? r.data.rules : null;
  } catch {
    return null;
  }
}

export function createConfigHistoryReader(db: Db, serviceRules: readonly DeviceRule[]): (span: DeploymentSpan) => ConfigPeriod[] {
  const history = db.prepare<[string], HistoryRow>('SELECT version, config, published_ms, leaf_index FROM device_config_history WHERE device = ? ORDER BY version');
  const current = db.prepare<[string], { version: number; config: string; published_at: number }>('SELECT version, config, published_at FROM device_configs WHERE device = ?');
  const reported = db.prepare<[string, number, number], { t: number; v: number | null }>(
    "SELECT sent_at AS t, json_extract(body, '$.config.version') AS v FROM status WHERE device = ? AND sent_at >= ? AND sent_at < ? ORDER BY sent_at, seq",
  );
  const before = db.prepare<[string, number], { v: number | null }>(
    "SELECT json_extract(body, '$.config.version') AS v FROM status WHERE device = ? AND sent_at < ? ORDER BY sent_at DESC, seq DESC LIMIT 1",
  );
  return (span) => {
    if (span.to <= span.from) return [];
    const rows = history.all(span.deviceId);
    const cur = current.get(span.deviceId);
    if (rows.length === 0 && cur !== undefined) rows.push({ version: cur.version, config: cur.config, published_ms: cur.published_at, leaf_index: null });
    const byVersion = new Map(rows.map((r) => [r.version, r]));
    if (rows.length === 0) return [{ deviceId: span.deviceId, from: span.from, to: span.to, version: 0, confirmed: false, rules: serviceRules, leafIndex: null }];
    // Change points: (time, version, confirmed).
    const points: { t: number; v: number; confirmed: boolean }[] = [];
    const beats = reported.all(span.deviceId, span.from, span.to).filter((b): b is { t: number; v: number } => typeof b.v === 'number' && byVersion.has(b.v));
    const prior = before.get(span.deviceId, span.from)?.v;
    if (typeof prior === 'number' && byVersion.has(prior)) points.push({ t: span.from, v: prior, confirmed: true });
    if (beats.length > 0) {
      if (points.length === 0) {
        // Before the first heartbeat: the version published last before the span (or the first heartbeat's), unconfirmed.
        const published = rows.filter((r) => r.published_ms <= span.from).at(-1);
        points.push({ t: span.from, v: published?.version ?? beats[0]!.v, confirmed: published === undefined || published.version === beats[0]!.v });
      }
      for (const b of beats) if (b.v !== points.at(-1)!.v) points.push({ t: b.t, v: b.v, confirmed: true });
    } else if (points.length === 0) {
      const published = rows.filter((r) => r.published_ms <= span.from).at(-1) ?? rows[0]!;
      points.push({ t: span.from, v: published.version, confirmed: false });
      for (const r of rows) if (r.published_ms > span.from && r.published_ms < span.to) points.push({ t: r.published_ms, v: r.version, confirmed: false });
    }
    return points.map((p, i) => {
      const row = byVersion.get(p.v)!;
      return { deviceId: span.deviceId, from: p.t, to: points[i + 1]?.t ?? span.to, version: p.v, confirmed: p.confirmed, rules: rulesOf(row.config) ?? [], leafIndex: row.leaf_index };
    }).filter((p) => p.to > p.from);
  };
}

/** The evidence-log leaves of the configs in force, except any recorded against another case. */
export function configLeaves(db: Db, caseRef: string, periods: readonly ConfigPeriod[]): number[] {
  const leaf = db.prepare<[number], { leaf: Buffer }>('SELECT leaf FROM evidence_leaves WHERE leaf_index = ?');
  const out = new Set<number>();
  for (const p of periods) {
    if (p.leafIndex === null || out.has(p.leafIndex)) continue;
    const row = leaf.get(p.leafIndex);
    const ref = row === undefined ? undefined : (JSON.parse(row.leaf.toString('utf8')) as { caseRef?: string | null }).caseRef;
    if (ref === null || ref === caseRef) out.add(p.leafIndex);
  }
  return [...out];
}
