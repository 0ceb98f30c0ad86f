/**
 * Whether a diary link's address is one only this machine can open (issue 10):
 * a resident's phone cannot reach the service at a loopback or unspecified
 * address, so a link or install sheet carrying one is of no use to them. The
 * URL is read by the WHATWG URL parser first, which writes every spelling of
 * an address one way (127.1 and 2130706433 become 127.0.0.1, [0:…:1] becomes
 * [::1], ::ffff:127.0.0.1 becomes ::ffff:7f00:1), so the checks see only those.
 * Pure.
 */

/** Why `url` can be opened only on this machine, as a clause ("127.0.0.1 is a loopback address"), or null. */
export function localOnlyReason(url: string): string | null {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return null;
  }
  const bare = host.replace(/\.$/, '');
  // RFC 6761 §6.3: localhost and every name under it resolve to this machine's loopback.
  if (bare === 'localhost' || bare.endsWith('.localhost')) return `${host} names this machine`;
  // RFC 1122 §3.2.1.3 (g): 127.0.0.0/8 is the loopback network.
  if (/^127\.\d+\.\d+\.\d+$/.test(host)) return `${host} is a loopback address`;
  // RFC 4291 §2.5.3 (::1), and an IPv4-mapped loopback address (§2.5.5.2, ::ffff:127.x.x.x).
  if (host === '[::1]' || /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(host)) return `${host} is a loopback address`;
  // RFC 1122 §3.2.1.3 (a) and RFC 4291 §2.5.2: the unspecified address, what a service listens on, not one to connect to.
  if (host === '0.0.0.0' || host === '[::]' || host === '[::ffff:0:0]') return `${host} is the unspecified address (a service listens on it, a phone cannot open it)`;
  return null;
}
