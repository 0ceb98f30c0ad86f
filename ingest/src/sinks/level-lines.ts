/**
 * 1 s level records as InfluxDB line protocol, built with the client's Point
 * (which escapes per the line protocol reference,
 * https://docs.influxdata.com/influxdb/v2/reference/syntax/line-protocol/).
 * One point per record: measurement `earshot_levels`, tag `device`, a float
 * field per level that is not null (silence is the field's absence, never
 * -Infinity: DESIGN §2), `d` the interval in seconds, timestamp in ms.
 */
import { Point } from '@influxdata/influxdb-client';
import type { LevelRecord } from '@earshot/shared';

export const LEVELS_MEASUREMENT = 'earshot_levels';
const LEVEL_FIELDS = ['LAeq', 'LCeq', 'LZeq', 'LAFmax', 'LAFmin', 'LASmax', 'LCpeak'] as const;

export function levelLine(deviceId: string, r: LevelRecord): string | undefined {
  const p = new Point(LEVELS_MEASUREMENT).tag('device', deviceId).floatField('d', r.d).timestamp(Date.parse(r.t));
  for (const f of LEVEL_FIELDS) {
    const v = r[f];
    if (v !== null) p.floatField(f, v);
  }
  if (r.clipped !== undefined) p.intField('clipped', r.clipped);
  if (r.n !== undefined) p.intField('n', r.n);
  if (r.silent === true) p.booleanField('silent', true);
  return p.toLineProtocol();
}
