import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { loadModule, simdSupported } from '../../../src/backend/wasm/loader.js';

describe('wasm loader', () => {
  it('detects SIMD on this runtime', () => {
    expect(simdSupported()).toBe(true);
  });

  it('loads the embedded module, raw bytes, and a file URL alike', async () => {
    const url = new URL('../../../build/ntk.standard.wasm', import.meta.url);
    for (const source of [undefined, readFileSync(url), url]) {
      const { exports, memory } = await loadModule(source);
      expect(typeof exports.gemm).toBe('function');
      expect(memory.buffer.byteLength).toBeGreaterThan(0);
    }
  });

  it('loads the debug build with the same exports', async () => {
    const { exports } = await loadModule(readFileSync(new URL('../../../build/ntk.debug.wasm', import.meta.url)));
    expect(typeof exports.eigh).toBe('function');
  });
});
