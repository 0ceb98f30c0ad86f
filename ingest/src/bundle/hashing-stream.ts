/** A pass-through that hashes (SHA-256) and counts what flows through it: the manifest is computed while the ZIP is written. */
import { type Hash, createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

export class HashingStream extends Transform {
  readonly #hash: Hash = createHash('sha256');
  readonly #onBytes: (n: number) => void;
  readonly #onDigest: (sha256: string) => void;
  #digest: string | null = null;
  bytes = 0;

  /** `onDigest` runs when the input has ended, before this stream emits 'end'. */
  constructor(onBytes: (n: number) => void = () => {}, onDigest: (sha256: string) => void = () => {}) {
    super();
    this.#onBytes = onBytes;
    this.#onDigest = onDigest;
  }

  override _transform(chunk: Buffer | string, _enc: BufferEncoding, done: TransformCallback): void {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    this.#hash.update(buf);
    this.bytes += buf.length;
    this.#onBytes(buf.length);
    done(null, buf);
  }

  override _flush(done: TransformCallback): void {
    this.#digest = this.#hash.digest('hex');
    this.#onDigest(this.#digest);
    done();
  }

  /** Hex SHA-256 of everything that passed, once the stream has ended. */
  get sha256(): string {
    if (this.#digest === null) throw new Error('digest read before the stream ended');
    return this.#digest;
  }
}
