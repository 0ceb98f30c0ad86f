/**
 * The config sync's sweep (service/device-config.ts): one query for the whole
 * fleet gives each device what attach.ts gives it one by one — its open case's
 * audio mode while a deployment covers the moment, `off` otherwise (no
 * deployment, the deployment over, its case not open) — each change published
 * once with the next version, nothing published when nothing changed, and no
 * version repeated by a second sweeper whose memory is behind the store.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { changeCaseStatus, endDeployment, openCase, startDeployment } from '../../src/cases/index.ts';
import { createDeviceConfigs } from '../../src/service/device-config.ts';
import { Settings } from '../../src/service/settings.ts';
import { DAY, type ExportFixture, HOUR, makeExportFixture } from '../export/fixture.ts';

const T0 = Date.parse('2026-11-02T12:00:00.000Z');
const iso = (ms: number): string => new Date(ms).toISOString();
const DEVICES = ['mon-1', 'mon-2', 'mon-3', 'mon-4'];

let f: ExportFixture;
beforeEach(() => {
  f = makeExportFixture(T0 - DAY);
});
afterEach(() => f.close());

function fleet(): void {
  for (const d of DEVICES) f.device(d);
  openCase(f.ingest.cases, { ref: 'ASB-2026-0401', category: 'general', officer: 'Jo Smith', address: '1 Elm Court, Leeds' });
  openCase(f.ingest.cases, { ref: 'ASB-2026-0402', category: 'general', officer: 'Jo Smith', address: '2 Elm Court, Leeds' });
  startDeployment(f.ingest.cases, { caseRef: 'ASB-2026-0401', deviceId: 'mon-1', installedAt: iso(T0), installedBy: 'Sam Patel' });
  // mon-2: its deployment covers the moment, but its case is no longer open.
  const d2 = startDeployment(f.ingest.cases, { caseRef: 'ASB-2026-0402', deviceId: 'mon-2', installedAt: iso(T0), installedBy: 'Sam Patel', audioMode: 'button-only' });
  endDeployment(f.ingest.cases, { deploymentId: d2.id, removedAt: iso(T0 + 3 * HOUR), removedBy: 'Sam Patel' });
  changeCaseStatus(f.ingest.cases, { ref: 'ASB-2026-0402', status: 'inactive', reason: 'complainant away', by: 'Jo Smith' });
  // mon-3 is never deployed; mon-4's deployment ends an hour in.
  const d4 = startDeployment(f.ingest.cases, { caseRef: 'ASB-2026-0401', deviceId: 'mon-4', installedAt: iso(T0), installedBy: 'Sam Patel', audioMode: 'button-only' });
  endDeployment(f.ingest.cases, { deploymentId: d4.id, removedAt: iso(T0 + HOUR), removedBy: 'Sam Patel' });
}

function sweep(configs: ReturnType<typeof createDeviceConfigs>, at: number): Record<string, [number, string]> {
  const out: Record<string, [number, string]> = {};
  configs.sweep(DEVICES, at, (id, c) => (out[id] = [c.version, c.audio.mode]));
  return out;
}

const historyRows = (): number => f.ingest.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM device_config_history').get()!.n;

describe('the config sweep', () => {
  it('gives every device what attach gives it, publishes each change once, and nothing when nothing changed', () => {
    fleet();
    const configs = createDeviceConfigs(f.ingest, Settings.parse({}));
    const at = T0 + HOUR / 2;
    expect(sweep(configs, at)).toEqual({ 'mon-1': [1, 'on-event'], 'mon-2': [1, 'off'], 'mon-3': [1, 'off'], 'mon-4': [1, 'button-only'] });
    for (const d of DEVICES) {
      const a = f.ingest.attach(d, at);
      expect(configs.current(d)?.audio.mode).toBe(a.attached ? a.audioMode : 'off');
    }
    expect(sweep(configs, at)).toEqual({});
    // The end of mon-4's deployment passes: only it changes.
    expect(sweep(configs, T0 + 2 * HOUR)).toEqual({ 'mon-4': [2, 'off'] });
    expect(historyRows()).toBe(5);
  });

  it('does not publish a version again when another sweeper has published it since its memory was read', () => {
    fleet();
    const behind = createDeviceConfigs(f.ingest, Settings.parse({}));
    const ahead = createDeviceConfigs(f.ingest, Settings.parse({}));
    expect(Object.keys(sweep(ahead, T0 + HOUR / 2))).toHaveLength(4);
    expect(sweep(behind, T0 + HOUR / 2)).toEqual({});
    expect(sweep(behind, T0 + 2 * HOUR)).toEqual({ 'mon-4': [2, 'off'] });
    expect(historyRows()).toBe(5);
  });
});
