import { tsBackend } from './ts/index.js';
import type { Backend, BackendName } from './types.js';
import { createWasmBackend } from './wasm/index.js';
import type { WasmHeap } from './wasm/heap.js';
import { loadModule, simdSupported, type WasmSource } from './wasm/loader.js';

/** Options of {@link ready}. */
export interface ReadyOptions {
  /** Module bytes or a URL to load instead of the embedded module. */
  wasm?: WasmSource;
}

let wasmBackend: (Backend & { heap: WasmHeap }) | undefined;
let loading: Promise<void> | undefined;
let active: Backend = tsBackend;

/**
 * Loads and instantiates the WASM module once and makes `'wasm'` the active backend. Safe to call many
 * times: later calls wait for the first. Where WASM SIMD is missing it resolves and stays on `'ts'`.
 *
 * @example
 * ```ts
 * import { ready, getBackend } from 'ntk-wasm';
 * await ready();
 * console.log(getBackend()); // 'wasm' where WebAssembly SIMD is available
 * ```
 */
export function ready(options: ReadyOptions = {}): Promise<void> {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`ready: options must be an object, got ${String(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (key !== 'wasm') throw new TypeError(`ready: unknown option '${key}'; expected 'wasm'`);
  }
  if (!loading) {
    loading = (async () => {
      if (!simdSupported()) return;
      const { exports, memory } = await loadModule(options.wasm);
      wasmBackend = createWasmBackend(exports, memory);
      active = wasmBackend;
    })();
    // A failed load may be retried, e.g. with other bytes.
    loading.catch(() => {
      loading = undefined;
    });
  }
  return loading;
}

/**
 * Chooses the backend for all later calls.
 *
 * @throws Error when `'wasm'` is asked for before {@link ready} has loaded the module.
 * @example
 * ```ts
 * await ready();
 * setBackend('ts');   // the pure-TypeScript reference
 * setBackend('wasm'); // back to WebAssembly
 * ```
 */
export function setBackend(name: BackendName): void {
  if (name === 'ts') {
    active = tsBackend;
  } else if (name === 'wasm') {
    if (!wasmBackend) {
      throw new Error(
        simdSupported()
          ? "setBackend: the 'wasm' backend is not loaded yet; await ready() first"
          : "setBackend: 'wasm' is unavailable because this runtime lacks WebAssembly SIMD; use 'ts'",
      );
    }
    active = wasmBackend;
  } else {
    throw new TypeError(`setBackend: unknown backend ${JSON.stringify(name)}; expected 'wasm' or 'ts'`);
  }
}

/**
 * The active backend's name: `'wasm'` after a successful {@link ready}, `'ts'` before it or where
 * WebAssembly SIMD is unavailable.
 *
 * @example
 * ```ts
 * if (getBackend() === 'ts') console.warn('running on the TypeScript fallback');
 * ```
 */
export function getBackend(): BackendName {
  return active.name;
}

/** The active backend (internal: ops dispatch through it). */
export function current(): Backend {
  return active;
}

/** The WASM heap, for diagnostics and tests; undefined until {@link ready} has loaded the module. */
export function wasmHeap(): WasmHeap | undefined {
  return wasmBackend?.heap;
}
