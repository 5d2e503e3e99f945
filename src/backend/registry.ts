import { tsBackend } from './ts/index.js';
import type { Backend, BackendName, SimdLevel, WasmSource } from './types.js';
import { createWasmBackend } from './wasm/index.js';
import type { WasmHeap } from './wasm/heap.js';
import { buildFor, loadModule, simdSupported } from './wasm/loader.js';
import { WorkerPool } from './wasm/pool.js';

/** Options of {@link ready}. */
export interface ReadyOptions {
  /**
   * Module bytes or a URL to load instead of the embedded module: one of the builds of
   * `scripts/build-wasm.mjs`. Only a shared-memory build can run on several threads, and
   * {@link backendInfo} reports the SIMD level chosen for the runtime, not read from the bytes.
   */
  wasm?: WasmSource;
  /**
   * Threads for the parallel kernels (gemm, Gram and kernel matrices, the structured empirical NTK and
   * the analytic kernels), the calling thread included: a positive integer, by default the number of
   * cores. `1` runs everything on the calling thread. Where shared memory is unavailable (a browser page
   * that is not cross-origin isolated) it falls back to 1 and {@link backendInfo} says why.
   */
  threads?: number;
  /**
   * `'auto'` (default): relaxed SIMD where the runtime validates it, else standard. `'standard'` gives the
   * same bits on every machine; `'relaxed'` fails where relaxed SIMD is unavailable. See {@link SimdLevel}.
   */
  simd?: 'auto' | SimdLevel;
}

/** What {@link ready} loaded, from {@link backendInfo}. */
export interface BackendInfo {
  /** The active backend. */
  backend: BackendName;
  /** The SIMD level of the loaded module; undefined until a module is loaded. */
  simd: SimdLevel | undefined;
  /** Threads the parallel kernels use, the calling thread included. */
  threads: number;
  /** Why fewer threads run than were asked for, or why there is no WASM; undefined when nothing fell short. */
  note: string | undefined;
}

interface Loaded {
  backend: Backend & { heap: WasmHeap };
  pool: WorkerPool | undefined;
  simd: SimdLevel;
}

const READY_OPTIONS = ['wasm', 'threads', 'simd'];
const MAX_THREADS = 256;

let wasm: Loaded | undefined;
// Loads and disposes, one after another in call order (never rejects), so that the last call wins.
let queue: Promise<void> = Promise.resolve();
// The latest ready() with its options, pending or loaded: a call with the same options joins it.
let latest: { key: string; done: Promise<void> } | undefined;
let note: string | undefined;
let active: Backend = tsBackend;
// Set by dispose() when it unloads the active WASM backend: ops then fail until ready() or setBackend('ts').
let disposed = false;

function checkReadyOptions(options: ReadyOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`ready: options must be an object, got ${String(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!READY_OPTIONS.includes(key)) throw new TypeError(`ready: unknown option '${key}'; expected one of ${READY_OPTIONS.join(', ')}`);
  }
  const { threads, simd } = options;
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1 && threads <= MAX_THREADS)) {
    throw new TypeError(`ready: threads must be an integer from 1 to ${MAX_THREADS}, got ${String(threads)}`);
  }
  if (simd !== undefined && simd !== 'auto' && simd !== 'relaxed' && simd !== 'standard') {
    throw new TypeError(`ready: simd must be 'auto', 'relaxed' or 'standard', got ${JSON.stringify(simd)}`);
  }
}

/** Runs `step` after every load and dispose called before it. */
function enqueue(step: () => Promise<void>): Promise<void> {
  const done = queue.then(step);
  queue = done.catch(() => undefined);
  return done;
}

async function load(options: ReadyOptions): Promise<void> {
  const build = await buildFor(options);
  if (build === undefined) {
    disposed = false;
    note = 'this runtime lacks WebAssembly SIMD; running on the TypeScript backend';
    return;
  }
  const { simd, requested, shared } = build;
  // Why fewer threads run than were requested.
  let shortfall = build.shortfall;
  const loaded = await loadModule({ source: options.wasm, simd, shared });
  if (requested > 1 && shortfall === undefined && !loaded.shared) shortfall = 'the given module was not built for shared memory';
  let pool: WorkerPool | undefined;
  if (requested > 1 && shortfall === undefined) {
    try {
      pool = await WorkerPool.create(loaded.module, loaded.memory, loaded.exports, requested);
    } catch (error) {
      // E.g. a Content-Security-Policy without worker-src blob:; the shared build runs on one thread too.
      shortfall = `the worker threads could not start (${(error as Error).message})`;
    }
  }
  const fallback = shortfall === undefined ? undefined : `running on 1 thread instead of ${requested}: ${shortfall}`;
  // Until here calls ran on the old module (or failed as disposed); from here they run on the new one.
  const previous = wasm;
  wasm = { backend: createWasmBackend(loaded.exports, loaded.memory, loaded.hosts, pool), pool, simd };
  active = wasm.backend;
  disposed = false;
  note = fallback;
  if (fallback !== undefined && options.threads !== undefined) console.warn(`ntk-wasm: ${fallback}`);
  // Every op is synchronous, so none runs on the old pool now and none reaches it later; dropping `previous`
  // releases the old memory as dispose() does.
  await previous?.pool?.terminate();
}

/**
 * Loads and instantiates the WASM module and makes `'wasm'` the active backend: the relaxed-SIMD build
 * where the runtime has relaxed SIMD, and a pool of worker threads over one shared memory (see
 * {@link ReadyOptions}). Safe to call many times: a call with the same options waits for the first; a
 * call with other options loads again. Meanwhile every op runs on the module loaded before (or fails as
 * after {@link dispose}); the new one takes over in one step, and only then are the old workers stopped
 * and the old memory released, as `dispose()` does. Calls to `ready()` and `dispose()` take effect one
 * after another in call order, each promise settling once its own turn is done, so the last call wins.
 * Where WASM SIMD is missing it resolves and stays on `'ts'`. Every problem (bad options, bytes that are
 * not a module of this library) is a rejected promise, and the backend that was active stays active.
 *
 * @example
 * ```ts
 * import { ready, getBackend, backendInfo } from 'ntk-wasm';
 * await ready();
 * console.log(getBackend()); // 'wasm' where WebAssembly SIMD is available
 * console.log(backendInfo()); // e.g. { backend: 'wasm', simd: 'relaxed', threads: 2, note: undefined }
 * await ready({ threads: 1, simd: 'standard' }); // one thread, the same bits on every machine
 * void ready({ threads: 2 });
 * await ready({ threads: 1 }); // concurrent calls: the last one wins, backendInfo().threads is 1
 * ```
 */
export function ready(options: ReadyOptions = {}): Promise<void> {
  try {
    checkReadyOptions(options);
  } catch (error) {
    return Promise.reject(error);
  }
  const key = JSON.stringify([options.threads, options.simd ?? 'auto', options.wasm === undefined ? null : String(options.wasm)]);
  // Bytes given as a buffer are not comparable by key: load them every time.
  const sameBytes = options.wasm === undefined || typeof options.wasm === 'string' || options.wasm instanceof URL;
  if (latest === undefined || key !== latest.key || !sameBytes) {
    const request = { key, done: enqueue(() => load(options)) };
    latest = request;
    // A failed load may be retried, e.g. with other bytes.
    request.done.catch(() => {
      if (latest === request) latest = undefined;
    });
  }
  return latest.done;
}

/**
 * What {@link ready} loaded: the active backend, the SIMD level and the number of threads, and why less
 * than was asked for runs, if so.
 *
 * @example
 * ```ts
 * await ready({ threads: 4 });
 * const { threads, note } = backendInfo();
 * if (note) console.warn(note); // e.g. a page that is not cross-origin isolated runs on 1 thread
 * ```
 */
export function backendInfo(): BackendInfo {
  const onWasm = active !== tsBackend && wasm !== undefined;
  return { backend: active.name, simd: wasm?.simd, threads: onWasm ? (wasm?.pool?.size ?? 1) : 1, note };
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
    disposed = false;
  } else if (name === 'wasm') {
    if (!wasm) {
      throw new Error(
        simdSupported()
          ? "setBackend: the 'wasm' backend is not loaded yet; await ready() first"
          : "setBackend: 'wasm' is unavailable because this runtime lacks WebAssembly SIMD; use 'ts'",
      );
    }
    active = wasm.backend;
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

/** The active backend (ops dispatch through it). @internal */
export function current(): Backend {
  if (disposed) {
    throw new Error("ntk-wasm: the WASM backend was released by dispose(); await ready() to load it again, or setBackend('ts')");
  }
  return active;
}

/**
 * Releases what {@link ready} loaded: stops the worker threads and drops the WASM instance and its memory,
 * so the garbage collector can reclaim them (after a large Gram matrix that can be gigabytes). Resolves
 * when the threads have ended. Afterwards every op throws a clear error until `await ready()` loads the
 * module again or `setBackend('ts')` chooses the TypeScript backend; nothing reloads behind your back.
 * Safe to call many times, and before {@link ready}; it takes effect after the `ready()` calls made before it.
 *
 * @example
 * ```ts
 * import { dispose, ready, rbfKernel } from 'ntk-wasm';
 * await ready();
 * const k = rbfKernel({ lengthscale: 1 })(xLarge); // WASM memory grows to hold it
 * await dispose();                                // workers stopped, memory released
 * await ready();                                  // back to work on a fresh instance
 * ```
 */
export function dispose(): Promise<void> {
  latest = undefined;
  return enqueue(unload);
}

async function unload(): Promise<void> {
  const unloaded = wasm;
  wasm = undefined;
  note = undefined;
  if (unloaded !== undefined && active === unloaded.backend) {
    active = tsBackend;
    disposed = true;
    note = 'the WASM backend was released by dispose()';
  }
  await unloaded?.pool?.terminate();
}

/** The WASM heap, for diagnostics and tests; undefined until {@link ready} has loaded the module. @internal */
export function wasmHeap(): WasmHeap | undefined {
  return wasm?.backend.heap;
}
