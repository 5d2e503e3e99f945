import { describe, expect, it } from 'vitest';
import { getBackend, matmul, ready, setBackend } from '../../src/index.js';

// Runs in its own worker, so the registry starts unloaded.
describe('backend registry', () => {
  it("runs on 'ts' before ready() and refuses 'wasm' until it is loaded", () => {
    expect(getBackend()).toBe('ts');
    expect(() => setBackend('wasm')).toThrow(/await ready\(\) first/);
    expect(matmul([[2]], [[3]]).toArray()).toEqual([[6]]);
  });

  it("switches to 'wasm' after ready(), which is safe to call many times", async () => {
    await Promise.all([ready(), ready()]);
    expect(getBackend()).toBe('wasm');
    setBackend('ts');
    await ready();
    expect(getBackend()).toBe('ts');
    setBackend('wasm');
    expect(getBackend()).toBe('wasm');
  });

  it('rejects unknown backends and options', () => {
    expect(() => setBackend('gpu' as never)).toThrow(new TypeError(`setBackend: unknown backend "gpu"; expected 'wasm' or 'ts'`));
    expect(() => ready({ threads: 2 } as never)).toThrow(/ready: unknown option 'threads'/);
  });
});
