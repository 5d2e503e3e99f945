/** The flat exports of assembly/index.ts. Pointers are byte offsets into the shared memory. */
export interface NtkExports {
  alloc(bytes: number): number;
  mark(): number;
  release(to: number): void;
  arena(base: number, end: number): void;
  allFinite(x: number, count: number): number;
  gemm(transA: number, transB: number, m: number, n: number, k: number, alpha: number,
    a: number, lda: number, b: number, ldb: number, beta: number, c: number, ldc: number): void;
  syrk(n: number, k: number, a: number, c: number, r0: number, r1: number): void;
  choleskyDiagonal(n: number, a: number, j0: number, jb: number, minPivot: number): number;
  choleskyPanel(n: number, a: number, j0: number, jb: number, r0: number, r1: number): void;
  choleskyUpdate(n: number, a: number, j0: number, jb: number, r0: number, r1: number): void;
  zeroUpper(n: number, a: number): void;
  trsmLower(n: number, m: number, l: number, b: number, transpose: number, c0: number, c1: number): void;
  panelReflect(n: number, a: number, k0: number, j: number, w: number, d: number, e: number, tau: number): number;
  symvUpper(m: number, s: number, ld: number, x: number, y: number, r0: number, r1: number): void;
  panelFinish(n: number, a: number, k0: number, j: number, w: number, tau: number, y: number, parts: number, stride: number): void;
  tridiagonalUpdate(n: number, a: number, w: number, k0: number, nb: number, r0: number, r1: number): void;
  householderApply(n: number, a: number, tau: number, z: number, c0: number, c1: number): void;
  tridiagonalValues(n: number, d: number, e: number): number;
  dcTear(d: number, e: number, s: number, n1: number): void;
  dcSolve(ldz: number, d: number, e: number, z: number, s: number, len: number, status: number): void;
  dcMergePrepare(ldz: number, d: number, e: number, z: number, s: number, n1: number, len: number, g: number, u: number, info: number): void;
  dcMergeColumns(ldz: number, z: number, s: number, n1: number, len: number, g: number, u: number, k: number, k1: number, k2: number,
    c0: number, c1: number): void;
  gramInner(n1: number, n2: number, d: number, x1: number, x2: number, out: number, norms1: number, norms2: number,
    r0: number, r1: number): void;
  gramMap(kind: number, n1: number, n2: number, symmetric: number, out: number, norms1: number, norms2: number,
    scale: number, bias: number, degree: number, gamma: number, r0: number, r1: number): void;
  nystromRows(mode: number, kind: number, d: number, m: number, k: number, x: number, centersT: number, centerNorms: number, vT: number,
    u: number, wT: number, row: number, scale: number, bias: number, degree: number, gamma: number, r0: number, r1: number): void;
  dualDescent(n: number, k: number, kernel: number, y: number, alpha: number, steps: number,
    rate: number, ridge: number, lossScale: number, losses: number): void;
  primalDescent(n: number, p: number, k: number, features: number, y: number, theta: number, steps: number,
    rate: number, ridge: number, lossScale: number, losses: number): void;
  eulerSteps(n: number, m: number, k: number, kernel: number, kTest: number, y: number, u: number,
    fTest: number, steps: number, rate: number): void;
  netForward(program: number, attributes: number, count: number, shapes: number, output: number, params: number,
    x: number, r0: number, r1: number, out: number): void;
  netJacobian(program: number, attributes: number, count: number, shapes: number, output: number, params: number,
    x: number, r0: number, r1: number, out: number): void;
  netSignals(program: number, attributes: number, count: number, shapes: number, output: number, params: number,
    x: number, r0: number, r1: number, table: number, forms: number, full: number): void;
  netNtkRows(program: number, attributes: number, count: number, shapes: number, output: number,
    t1: number, n1: number, t2: number, n2: number, full: number, out: number, r0: number, r1: number, forms: number): void;
  netNtkJacobian(program: number, attributes: number, count: number, shapes: number, output: number, params: number,
    x1: number, n1: number, x2: number, n2: number, full: number, block: number, out: number, r0: number, r1: number): void;
  netGradient(program: number, attributes: number, count: number, shapes: number, output: number, params: number,
    x: number, y: number, r0: number, r1: number, gradient: number, loss: number): void;
  netDescend(params: number, gradients: number, parts: number, p: number, rate: number): void;
  infiniteVariances(program: number, attributes: number, count: number, scales: number, weights: number, ruleSize: number,
    x: number, n: number, d: number, table: number): void;
  infiniteRows(program: number, attributes: number, count: number, slots: number, slotCount: number, output: number,
    scales: number, weights: number, ruleSize: number, x1: number, n1: number, x2: number, n2: number, d: number,
    table1: number, table2: number, nngp: number, ntk: number, r0: number, r1: number, rowFinite: number): void;
  spatialVariances(program: number, attributes: number, count: number, shapes: number, output: number, full: number, slots: number,
    slotCount: number, largest: number, largestHalf: number, offsets: number, stride: number, scales: number, weights: number, ruleSize: number,
    x: number, table: number, r0: number, r1: number): void;
  spatialRows(program: number, attributes: number, count: number, shapes: number, output: number, full: number, slots: number,
    slotCount: number, largest: number, largestHalf: number, offsets: number, stride: number, scales: number, weights: number, ruleSize: number,
    x1: number, n1: number, x2: number, n2: number, table1: number, table2: number, nngp: number, ntk: number, r0: number, r1: number,
    rowFinite: number): void;
}

// Every export the backend calls, checked when a module is loaded (a Record, so the list cannot miss one).
export const EXPORT_NAMES: Record<keyof NtkExports, true> = {
  alloc: true, mark: true, release: true, arena: true, allFinite: true, gemm: true, syrk: true, choleskyDiagonal: true, choleskyPanel: true, choleskyUpdate: true, zeroUpper: true, trsmLower: true,
  panelReflect: true, symvUpper: true, panelFinish: true, tridiagonalUpdate: true, householderApply: true, tridiagonalValues: true, dcTear: true, dcSolve: true,
  dcMergePrepare: true, dcMergeColumns: true,
  gramInner: true, gramMap: true, nystromRows: true, dualDescent: true, primalDescent: true, eulerSteps: true, netForward: true,
  netJacobian: true, netSignals: true, netNtkRows: true, netNtkJacobian: true, netGradient: true, netDescend: true, infiniteVariances: true, infiniteRows: true,
  spatialVariances: true, spatialRows: true,
};

import type { SimdLevel, WasmSource } from '../types.js';

export type { SimdLevel, WasmSource };

// (func (result v128) i32.const 0 i8x16.splat i8x16.popcnt): valid only where WASM SIMD is supported.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);
// (func (result v128) (f64x2.relaxed_madd (i8x16.splat 0) (i8x16.splat 0) (i8x16.splat 0))): relaxed SIMD.
const RELAXED_SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0,
  10, 19, 1, 17, 0, 65, 0, 253, 15, 65, 0, 253, 15, 65, 0, 253, 15, 253, 135, 2, 11,
]);

/** True where the runtime validates WebAssembly SIMD (fixed-width 128-bit). */
export function simdSupported(): boolean {
  return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
}

/** True where the runtime validates relaxed SIMD (Chromium 114+, Node 22+; Node 20 behind a flag). */
export function relaxedSimdSupported(): boolean {
  return typeof WebAssembly === 'object' && WebAssembly.validate(RELAXED_SIMD_PROBE);
}

/**
 * Why a shared `WebAssembly.Memory` cannot be made here, or undefined when it can. Browsers allow it only
 * on cross-origin isolated pages (COOP/COEP headers).
 */
export function sharedMemoryUnavailable(): string | undefined {
  if (typeof SharedArrayBuffer === 'undefined') {
    return 'SharedArrayBuffer is unavailable (in a browser the page must be cross-origin isolated)';
  }
  try {
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    return undefined;
  } catch (error) {
    return `a shared WebAssembly.Memory cannot be created (${(error as Error).message})`;
  }
}

/**
 * A Node built-in module. The specifier is computed so that browser bundlers leave the import alone; the
 * code paths that call this run only on Node.
 */
export function importNodeBuiltin<T>(name: string): Promise<T> {
  const specifier = `node:${name}`;
  return import(/* @vite-ignore */ /* webpackIgnore: true */ specifier) as Promise<T>;
}

function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

async function readSource(source: WasmSource): Promise<Uint8Array | ArrayBuffer> {
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) return source;
  const url = new URL(String(source), typeof location === 'object' ? location.href : undefined);
  if (url.protocol === 'file:') {
    const { readFile } = await importNodeBuiltin<typeof import('node:fs/promises')>('fs/promises');
    return readFile(url);
  }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`ready: fetching ${url.href} failed with HTTP ${response.status}`);
  return response.arrayBuffer();
}

/** Largest wasm32 memory: 65,536 pages of 64 KiB. */
export const WASM32_MAX_PAGES = 65536;

/** An AssemblyScript string in `memory` (UTF-16, its byte length in the 4 bytes before it), as abort receives it. */
export function stringAt(memory: WebAssembly.Memory, ptr: number): string {
  const bytes = new Uint32Array(memory.buffer, ptr - 4, 1)[0];
  return String.fromCharCode(...new Uint16Array(memory.buffer, ptr, bytes >>> 1));
}

/** The imports of every instance: the memory, and an abort that throws. */
export function moduleImports(memory: WebAssembly.Memory): WebAssembly.Imports {
  return {
    env: {
      memory,
      abort(message: number, _file: number, line: number, column: number): never {
        throw new Error(`ntk-wasm: WASM assertion failed${line === 0 ? '' : ` at ${line}:${column}`}${message === 0 ? '' : `: ${stringAt(memory, message)}`}`);
      },
    },
  };
}

/** A compiled and instantiated module with its memory (shared when built for threads). */
export interface LoadedModule {
  module: WebAssembly.Module;
  exports: NtkExports;
  memory: WebAssembly.Memory;
  shared: boolean;
}

/** The name of a build: SIMD level, then `Shared` for the shared-memory build that worker threads join. */
export type BuildVariant = 'standard' | 'relaxed' | 'standardShared' | 'relaxedShared';

// One dynamic import per build, each with a literal specifier, so bundlers emit one chunk per build and
// a runtime fetches only the one it uses.
const EMBEDDED_BUILDS: Record<BuildVariant, () => Promise<{ wasmBase64: string }>> = {
  standard: () => import('./builds/standard.js'),
  relaxed: () => import('./builds/relaxed.js'),
  standardShared: () => import('./builds/standardShared.js'),
  relaxedShared: () => import('./builds/relaxedShared.js'),
};

/** The bytes of one embedded build. */
export async function embeddedBuild(variant: BuildVariant): Promise<Uint8Array> {
  return decodeBase64((await EMBEDDED_BUILDS[variant]()).wasmBase64);
}

/**
 * Compiles and instantiates one variant of the embedded module (or the given bytes) on a fresh imported
 * memory that can grow to the wasm32 limit. `shared` asks for the shared-memory build that worker threads
 * can join; bytes given by the caller are tried on a private memory, then on a shared one.
 */
export async function loadModule(options: { source?: WasmSource; simd: SimdLevel; shared: boolean }): Promise<LoadedModule> {
  const variant: BuildVariant = `${options.simd}${options.shared ? 'Shared' : ''}`;
  const bytes = options.source === undefined ? await embeddedBuild(variant) : await readSource(options.source);
  const module = await WebAssembly.compile(bytes as BufferSource);
  const attempts = options.source === undefined ? [options.shared] : [false, true];
  let failure: unknown;
  for (const shared of attempts) {
    const memory = new WebAssembly.Memory({ initial: 16, maximum: WASM32_MAX_PAGES, shared });
    try {
      const instance = await WebAssembly.instantiate(module, moduleImports(memory));
      const missing = Object.keys(EXPORT_NAMES).filter((name) => typeof instance.exports[name] !== 'function');
      if (missing.length > 0) {
        throw new TypeError(`ready: the module is not a build of this library; it lacks the exports ${missing.join(', ')}`);
      }
      return { module, exports: instance.exports as unknown as NtkExports, memory, shared };
    } catch (error) {
      failure = error;
    }
  }
  throw failure;
}
