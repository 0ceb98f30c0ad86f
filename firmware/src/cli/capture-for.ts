/** Records `seconds` of mono audio from a PCM capture source (for calibrate and selftest). */
import { EarshotError } from '@earshot/shared';
import type { CaptureSource } from '../capture/types.ts';

export interface Captured {
  samples: Float64Array;
  sampleRate: number;
}

export function captureFor(source: CaptureSource, seconds: number, timeoutMs = seconds * 1000 + 10_000): Promise<Captured> {
  if (source.kind !== 'pcm') {
    return Promise.reject(new EarshotError('EARSHOT_E_USAGE', `${source.name} delivers levels, not audio: calibrate the instrument itself`));
  }
  return new Promise((resolve, reject) => {
    let out: Float64Array | null = null;
    let rate = 0;
    let at = 0;
    let done = false;
    const finish = (err: Error | null): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      void source.stop().then(() => (err === null && out !== null ? resolve({ samples: out.subarray(0, at), sampleRate: rate }) : reject(err ?? new Error('no audio'))));
    };
    const timer = setTimeout(() => finish(new EarshotError('EARSHOT_E_CAPTURE_FAILED', `no audio from ${source.name} within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
    void source.start({
      block(b) {
        if (done) return;
        if (out === null) {
          rate = b.format.sampleRate;
          out = new Float64Array(Math.round(seconds * rate));
        }
        const n = Math.min(b.frames, out.length - at);
        out.set(b.samples.subarray(0, n), at);
        at += n;
        if (at >= out.length) finish(null);
      },
      event(e) {
        if (e.type === 'ended') finish(at > 0 ? null : new EarshotError('EARSHOT_E_CAPTURE_FAILED', `${source.name} ended before any audio`));
        if (e.type === 'error') finish(new EarshotError(e.error.code, e.error.detail));
      },
    }).catch((e: unknown) => finish(e instanceof Error ? e : new Error(String(e))));
  });
}
