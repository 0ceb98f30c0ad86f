/** Disk and CPU temperature for the heartbeat; null where the host does not say. */
import { readFile, statfs } from 'node:fs/promises';

export async function diskSpace(path: string): Promise<{ freeBytes: number; totalBytes: number } | null> {
  try {
    const s = await statfs(path);
    return { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
  } catch {
    return null;
  }
}

/** Linux thermal zone 0 (the SoC on a Raspberry Pi), in millidegrees Celsius. */
export async function cpuTemperatureC(file = '/sys/class/thermal/thermal_zone0/temp'): Promise<number | null> {
  try {
    const milli = Number((await readFile(file, 'utf8')).trim());
    return Number.isFinite(milli) && milli > -50_000 && milli < 150_000 ? Math.round(milli / 100) / 10 : null;
  } catch {
    return null;
  }
}
