import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { loadModule, relaxedSimdSupported, sharedMemoryUnavailable, simdSupported } from '../../../src/backend/wasm/loader.js';

const build = (name: string) => new URL(`../../../build/${name}`, import.meta.url);

describe('wasm loader', () => {
  it('detects SIMD, relaxed SIMD (Node 20 runs the suite with --experimental-wasm-relaxed-simd) and shared memory', () => {
    expect(simdSupported()).toBe(true);
    expect(relaxedSimdSupported()).toBe(true);
    expect(sharedMemoryUnavailable()).toBeUndefined();
  });

  it('loads the four embedded builds, the shared ones on a shared memory', async () => {
    for (const simd of ['standard', 'relaxed'] as const) {
      for (const shared of [false, true]) {
        const loaded = await loadModule({ simd, shared });
        expect(loaded.shared).toBe(shared);
        expect(loaded.memory.buffer instanceof SharedArrayBuffer).toBe(shared);
        expect(typeof loaded.exports.gemm).toBe('function');
      }
    }
  });

  it('loads raw bytes and a file URL alike, on the memory their build imports', async () => {
    for (const [file, shared] of [
      ['ntk.standard.wasm', false],
      ['ntk.relaxedShared.wasm', true],
    ] as const) {
      for (const source of [readFileSync(build(file)), build(file)]) {
        const { exports, memory } = await loadModule({ source, simd: 'standard', shared: false });
        expect(typeof exports.gemm).toBe('function');
        expect(memory.buffer instanceof SharedArrayBuffer).toBe(shared);
      }
    }
  });
});
