/**
 * One webhook delivery: POST the JSON with a per-attempt timeout, retrying
 * network errors, timeouts, 408, 429 and 5xx with doubling delays
 * (RFC 9110 §15.5.9 408, RFC 6585 §4 429: the request may be repeated).
 */
import { createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ResolvedAlertConfig } from './config.ts';

export type DeliveryOutcome = { readonly ok: true; readonly attempts: number } | { readonly ok: false; readonly attempts: number; readonly error: string };

function retriable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

export async function postWebhook(url: string, body: string, cfg: ResolvedAlertConfig): Promise<DeliveryOutcome> {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'earshot-ingest' };
  if (cfg.secret !== undefined) headers['x-earshot-signature'] = `sha256=${createHmac('sha256', cfg.secret).update(body).digest('hex')}`;
  let error = '';
  for (let attempt = 1; attempt <= cfg.retries + 1; attempt++) {
    try {
      const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(cfg.timeoutMs) });
      await res.arrayBuffer().catch(() => undefined); // free the connection
      if (res.ok) return { ok: true, attempts: attempt };
      error = `HTTP ${res.status}`;
      if (!retriable(res.status)) return { ok: false, attempts: attempt, error };
    } catch (e) {
      error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    }
    if (attempt <= cfg.retries) await sleep(cfg.retryDelayMs * 2 ** (attempt - 1));
  }
  return { ok: false, attempts: cfg.retries + 1, error };
}
