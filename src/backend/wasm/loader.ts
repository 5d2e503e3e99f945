import { instantiate } from '@assemblyscript/loader';
import { wasmBase64 } from './module.generated.js';

/** The flat exports of assembly/index.ts. Pointers are byte offsets into the shared memory. */
export interface NtkExports {
  alloc(bytes: number): number;
  mark(): number;
  release(to: number): void;
  gemm(transA: number, transB: number, m: number, n: number, k: number, alpha: number,
    a: number, lda: number, b: number, ldb: number, beta: number, c: number, ldc: number): void;
  syrk(n: number, k: number, a: number, c: number): void;
  cholesky(n: number, a: number): number;
  trsmLower(n: number, m: number, l: number, b: number, transpose: number): void;
  eigh(n: number, a: number, values: number, vectorsT: number): number;
  classicGram(kind: number, n1: number, n2: number, d: number, x1: number, x2: number,
    scale: number, bias: number, degree: number, gamma: number, out: number): void;
  dualDescent(n: number, k: number, kernel: number, y: number, alpha: number, steps: number,
    rate: number, ridge: number, lossScale: number, losses: number): void;
  primalDescent(n: number, p: number, k: number, features: number, y: number, theta: number, steps: number,
    rate: number, ridge: number, lossScale: number, losses: number): void;
  eulerSteps(n: number, m: number, k: number, kernel: number, kTest: number, y: number, u: number,
    fTest: number, steps: number, rate: number): void;
  mlpForward(layers: number, sizes: number, scales: number, hasBias: number, activation: number, leak: number,
    params: number, x: number, n: number, out: number): void;
  mlpJacobian(layers: number, sizes: number, scales: number, hasBias: number, activation: number, leak: number,
    params: number, x: number, n: number, out: number): void;
  mlpNtk(layers: number, sizes: number, scales: number, hasBias: number, activation: number, leak: number,
    params: number, x1: number, n1: number, x2: number, n2: number, full: number, out: number): void;
  mlpNtkJacobian(layers: number, sizes: number, scales: number, hasBias: number, activation: number, leak: number,
    params: number, x1: number, n1: number, x2: number, n2: number, full: number, block: number, out: number): void;
  mlpTrain(layers: number, sizes: number, scales: number, hasBias: number, activation: number, leak: number,
    params: number, x: number, y: number, n: number, steps: number, rate: number, lossScale: number, losses: number): void;
  infiniteMlp(depth: number, kind: number, leak: number, wStd: number, bStd: number, hasBias: number, standard: number,
    fanIns: number, x1: number, n1: number, x2: number, n2: number, d: number, nodes: number, weights: number,
    quadrature: number, nngp: number, ntk: number): void;
}

/** Where the module bytes may come from: embedded (default), raw bytes, or a URL to fetch. */
export type WasmSource = ArrayBuffer | Uint8Array | URL | string;

// (func (result v128) i32.const 0 i8x16.splat i8x16.popcnt): valid only where WASM SIMD is supported.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

/** True where the runtime validates WebAssembly SIMD (fixed-width 128-bit). */
export function simdSupported(): boolean {
  return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
}

function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

async function readSource(source: WasmSource | undefined): Promise<Uint8Array | ArrayBuffer> {
  if (source === undefined) return decodeBase64(wasmBase64);
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) return source;
  const url = new URL(String(source), typeof location === 'object' ? location.href : undefined);
  if (url.protocol === 'file:') {
    const { readFile } = await import('node:fs/promises');
    return readFile(url);
  }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`ready: fetching ${url.href} failed with HTTP ${response.status}`);
  return response.arrayBuffer();
}

/** Largest wasm32 memory: 65,536 pages of 64 KiB. */
export const WASM32_MAX_PAGES = 65536;

/** Instantiates the module on a fresh imported memory that can grow to the wasm32 limit. */
export async function loadModule(source?: WasmSource): Promise<{ exports: NtkExports; memory: WebAssembly.Memory }> {
  const bytes = await readSource(source);
  const memory = new WebAssembly.Memory({ initial: 16, maximum: WASM32_MAX_PAGES });
  const imports = {
    env: {
      memory,
      abort(_message: number, _file: number, line: number, column: number): never {
        throw new Error(`ntk-wasm: WASM assertion failed at ${line}:${column}`);
      },
    },
  };
  const { exports } = await instantiate<Record<string, unknown>>(bytes, imports);
  return { exports: exports as unknown as NtkExports, memory };
}
