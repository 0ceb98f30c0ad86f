/**
 * Issue 11 item 13: a device time judged against the server's time of receipt.
 * A monitor whose clock was lost (a Raspberry Pi has no battery clock: after a
 * power cut it starts at 1970 or at its last saved time until NTP answers) or
 * set wrong still measures real sound, so its evidence is kept, flagged; but a
 * time that cannot be right must never place evidence in a case.
 */

/** No Earshot monitor ran before 2020 (the project's first hardware); anything earlier is a lost clock. */
export const EARLIEST_DEVICE_TIME_MS = Date.UTC(2020, 0, 1);

/**
 * A message cannot describe a moment after it was received; a day's grace
 * covers any clock error short of a wrong date (DESIGN §4 flags offsets over
 * 2 s separately, from the heartbeat).
 */
export const MAX_AHEAD_OF_RECEIPT_MS = 86_400_000;

/** Why the device time cannot be right, or null when it is plausible. Pure. */
export function implausibleDeviceTime(deviceMs: number, receivedAtMs: number): string | null {
  if (!Number.isFinite(deviceMs)) return 'not a time';
  if (deviceMs < EARLIEST_DEVICE_TIME_MS) return `${new Date(deviceMs).toISOString()} is before 2020`;
  if (deviceMs > receivedAtMs + MAX_AHEAD_OF_RECEIPT_MS) return `${new Date(deviceMs).toISOString()} is more than a day after receipt at ${new Date(receivedAtMs).toISOString()}`;
  return null;
}
