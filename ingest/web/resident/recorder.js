// The optional phone recording (issue 13): the browser's MediaRecorder, at most 30 s, as base64 for the entry.
// Not calibrated: the page says so wherever the recording appears.

const TYPES = ['audio/webm;codecs=opus', 'audio/webm', 'audio/ogg;codecs=opus', 'audio/mp4'];

export function canRecord() {
  return typeof MediaRecorder !== 'undefined' && navigator.mediaDevices !== undefined && typeof navigator.mediaDevices.getUserMedia === 'function';
}

function blobToBase64(blob) {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''));
    r.onerror = () => reject(r.error);
    r.readAsDataURL(blob);
  });
}

export function base64ToBlob(data, type) {
  const bin = atob(data);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Blob([bytes], { type });
}

/**
 * Starts recording; resolves with { stop } once the microphone is open. `onTick(secondsLeft)` each second;
 * `onDone({ data, type, seconds })` when stopped (by stop() or at the limit).
 */
export async function startRecording(maxSeconds, onTick, onDone) {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  const mimeType = TYPES.find((t) => MediaRecorder.isTypeSupported(t));
  // 64 kbit/s: 30 s is about 240 kB (ingest/src/resident/limits.ts allows 1 MiB).
  const rec = new MediaRecorder(stream, { ...(mimeType === undefined ? {} : { mimeType }), audioBitsPerSecond: 64000 });
  const chunks = [];
  const started = Date.now();
  let left = maxSeconds;
  rec.ondataavailable = (e) => { if (e.data.size > 0) chunks.push(e.data); };
  const timer = setInterval(() => {
    left -= 1;
    onTick(left);
    if (left <= 0) stop();
  }, 1000);
  rec.onstop = async () => {
    clearInterval(timer);
    for (const t of stream.getTracks()) t.stop();
    const blob = new Blob(chunks, { type: (rec.mimeType || mimeType || 'audio/webm').split(';')[0] });
    const seconds = Math.min(maxSeconds, Math.round((Date.now() - started) / 1000));
    onDone({ data: await blobToBase64(blob), type: blob.type, seconds });
  };
  function stop() {
    if (rec.state !== 'inactive') rec.stop();
  }
  rec.start(1000);
  onTick(left);
  return { stop };
}
