/**
 * The members of the WebAssembly JavaScript API the measurement kernels use (Node's global; the
 * project's libraries, ES2023 and @types/node 20 without the DOM, declare its types but not its
 * values), and whether this process has it at all: `node --jitless` has none, and the engine then
 * runs its JavaScript kernels (level-chain-scalar.ts, bands/filter-bank-scalar.ts).
 */

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

export interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: { env: { memory: WasmMemory } }) => { readonly exports: object };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
}

/** The API, or null where the process has no WebAssembly. */
export const webAssembly: WasmApi | null = (globalThis as { WebAssembly?: WasmApi }).WebAssembly ?? null;

/** Bytes in a WebAssembly memory page. */
export const PAGE_BYTES = 65_536;

/** Grows `memory` to hold at least `bytes` (a no-op when it already does). Views made before a growth are detached: make them after. */
export function ensureBytes(memory: WasmMemory, bytes: number): void {
  const pages = Math.ceil(bytes / PAGE_BYTES) - memory.buffer.byteLength / PAGE_BYTES;
  if (pages > 0) memory.grow(pages);
}

/** A compiled module from base64 bytes, compiled once per process. */
export function moduleCompiler(base64: string): () => object {
  let compiled: object | null = null;
  return () => {
    if (webAssembly === null) throw new Error('this process has no WebAssembly');
    compiled ??= new webAssembly.Module(Buffer.from(base64, 'base64'));
    return compiled;
  };
}
