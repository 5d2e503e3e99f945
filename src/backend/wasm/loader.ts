import { HostCalls } from './hosts.js';
import { EXPORT_PARAMETERS, type NtkExports } from './generated/exports.js';

export type { NtkExports };

/** Every export the backend calls, checked when a module is loaded (generated from the module's own bindings). */
export const EXPORT_NAMES = Object.keys(EXPORT_PARAMETERS) as (keyof NtkExports)[];

import type { ReadyOptions } from '../registry.js';
import type { SimdLevel, WasmSource } from '../types.js';

export type { SimdLevel, WasmSource };

// (func (result v128) i32.const 0 i8x16.splat i8x16.popcnt): valid only where WASM SIMD is supported.
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);
// (func (result v128) (f64x2.relaxed_madd (i8x16.splat 0) (i8x16.splat 0) (i8x16.splat 0))): relaxed SIMD.
const RELAXED_SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 19, 1, 17, 0, 65, 0, 253, 15, 65, 0, 253, 15, 65, 0, 253, 15, 253, 135, 2, 11,
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

/** The imports of every instance: the memory, an abort that throws, and the calls into elementwise layers' JavaScript. */
export function moduleImports(memory: WebAssembly.Memory, hosts: HostCalls): WebAssembly.Imports {
  return {
    env: {
      memory,
      ...hosts.imports(),
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
  hosts: HostCalls;
}

/** The name of a build: SIMD level, then `Shared` for the shared-memory build that worker threads join. */
export type BuildVariant = 'standard' | 'relaxed' | 'standardShared' | 'relaxedShared';

/** The build of a SIMD level, with shared memory or without. */
export const buildVariant = (simd: SimdLevel, shared: boolean): BuildVariant => `${simd}${shared ? 'Shared' : ''}`;

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
  const bytes = options.source === undefined ? await embeddedBuild(buildVariant(options.simd, options.shared)) : await readSource(options.source);
  const module = await WebAssembly.compile(bytes as BufferSource);
  const attempts = options.source === undefined ? [options.shared] : [false, true];
  let failure: unknown;
  for (const shared of attempts) {
    const memory = new WebAssembly.Memory({ initial: 16, maximum: WASM32_MAX_PAGES, shared });
    try {
      const hosts = new HostCalls(memory);
      const instance = await WebAssembly.instantiate(module, moduleImports(memory, hosts));
      const missing = EXPORT_NAMES.filter((name) => typeof instance.exports[name] !== 'function');
      if (missing.length > 0) {
        throw new TypeError(`ready: the module is not a build of this library; it lacks the exports ${missing.join(', ')}`);
      }
      return { module, exports: instance.exports as unknown as NtkExports, memory, shared, hosts };
    } catch (error) {
      failure = error;
    }
  }
  throw failure;
}

function defaultThreads(): number {
  if (typeof navigator === 'object' && navigator.hardwareConcurrency > 0) return navigator.hardwareConcurrency;
  return 1;
}

async function nodeCores(): Promise<number | undefined> {
  if (typeof process !== 'object' || process.versions?.node === undefined) return undefined;
  const os = await importNodeBuiltin<typeof import('node:os')>('os');
  return os.availableParallelism();
}

/**
 * What ready(options) loads on this runtime: the SIMD level, the threads asked for and, where fewer can run,
 * why; undefined without WebAssembly SIMD. spawnWorker asks too, for the build a worker without access to
 * the package's files needs (a worker that a page starts shares the page's SIMD and cross-origin isolation).
 */
export async function buildFor(
  options: ReadyOptions,
): Promise<{ simd: SimdLevel; requested: number; shortfall: string | undefined; shared: boolean } | undefined> {
  if (!simdSupported()) return undefined;
  const relaxed = relaxedSimdSupported();
  if (options.simd === 'relaxed' && !relaxed) throw new Error("ready: simd 'relaxed' asked for, but this runtime lacks relaxed SIMD");
  const requested = options.threads ?? (await nodeCores()) ?? defaultThreads();
  const shortfall = requested > 1 ? sharedMemoryUnavailable() : undefined;
  // The shared-memory build where several threads were asked for and can run.
  return { simd: options.simd === 'standard' || !relaxed ? 'standard' : 'relaxed', requested, shortfall, shared: requested > 1 && shortfall === undefined };
}
