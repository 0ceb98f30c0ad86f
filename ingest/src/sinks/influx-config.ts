/**
 * The optional InfluxDB level sink is on when INFLUX_URL, INFLUX_TOKEN,
 * INFLUX_ORG and INFLUX_BUCKET are all set (issue 4); some but not all is a
 * configuration error rather than a silent "off".
 */
import { EarshotError } from '@earshot/shared';
import { z } from 'zod';
import { describeIssues } from '../cases/validate.ts';

export const InfluxEnv = z.object({
  INFLUX_URL: z.url({ protocol: /^https?$/ }),
  INFLUX_TOKEN: z.string().min(1),
  INFLUX_ORG: z.string().min(1),
  INFLUX_BUCKET: z.string().min(1),
});

export interface InfluxTarget {
  readonly url: string;
  readonly token: string;
  readonly org: string;
  readonly bucket: string;
}

const NAMES = ['INFLUX_URL', 'INFLUX_TOKEN', 'INFLUX_ORG', 'INFLUX_BUCKET'] as const;

/** null when none of the variables is set. */
export function influxTargetFromEnv(env: Readonly<Record<string, string | undefined>>): InfluxTarget | null {
  const set = NAMES.filter((n) => env[n] !== undefined && env[n] !== '');
  if (set.length === 0) return null;
  const r = InfluxEnv.safeParse(env);
  if (!r.success) throw new EarshotError('EARSHOT_E_CONFIG_INVALID', `InfluxDB sink: ${describeIssues(r.error)}`);
  return { url: r.data.INFLUX_URL, token: r.data.INFLUX_TOKEN, org: r.data.INFLUX_ORG, bucket: r.data.INFLUX_BUCKET };
}
