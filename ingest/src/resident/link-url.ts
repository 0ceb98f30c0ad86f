/**
 * The diary URL for a token: the page on the service's HTTP address (DESIGN
 * §6b) with the token in the fragment (RFC 3986 §3.5: the part after "#" is
 * not sent to the server), e.g. https://ingest.example.org/r/#k3J…
 */
export function residentUrl(baseUrl: string, token: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/r/#${token}`;
}
