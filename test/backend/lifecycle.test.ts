import { describe, expect, it } from 'vitest';
import { backendInfo, dispose, getBackend, rbfKernel, ready, setBackend } from '../../src/index.js';
import { wasmHeap } from '../../src/backend/registry.js';
import { uniformMatrix } from '../../src/random.js';
import { expectSameBits } from '../helpers/close.js';

const DISPOSED = "ntk-wasm: the WASM backend was released by dispose(); await ready() to load it again, or setBackend('ts')";

// Collects garbage until `ref` is cleared. deref() keeps its target alive to the end of the current turn
// of the event loop, so each turn collects first and looks afterwards.
async function collected(ref: WeakRef<object>): Promise<boolean> {
  for (let round = 0; round < 20; round++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    (globalThis as { gc: () => void }).gc();
    if (ref.deref() === undefined) return true;
  }
  return false;
}

// Runs in its own worker, so the registry starts unloaded.
describe('dispose', () => {
  it('is safe before ready()', async () => {
    await dispose();
    expect(getBackend()).toBe('ts');
    expect(rbfKernel()([[0]]).get(0, 0)).toBe(1);
  });

  it('stops the workers and releases the WASM memory; ops then fail clearly until ready() loads again', async () => {
    await ready({ threads: 2 });
    const x = uniformMatrix(1500, 8, 1);
    const before = rbfKernel({ lengthscale: 2 })(x);
    const memory = new WeakRef(wasmHeap()!.memory);
    expect(backendInfo()).toMatchObject({ backend: 'wasm', threads: 2 });

    await dispose();
    expect(wasmHeap()).toBeUndefined();
    expect(await collected(memory)).toBe(true);
    expect(() => rbfKernel({ lengthscale: 2 })(x)).toThrow(DISPOSED);
    expect(() => setBackend('wasm')).toThrow(/await ready\(\) first/);
    expect(backendInfo()).toMatchObject({ backend: 'ts', simd: undefined, note: 'the WASM backend was released by dispose()' });
    await dispose(); // twice is harmless

    await ready({ threads: 2 });
    expect(backendInfo()).toMatchObject({ backend: 'wasm', threads: 2, note: undefined });
    expectSameBits(rbfKernel({ lengthscale: 2 })(x).data, before.data, 'rbf after reloading');
  });

  it("leaves the 'ts' backend usable when it was the active one", async () => {
    await ready();
    setBackend('ts');
    await dispose();
    expect(getBackend()).toBe('ts');
    expect(rbfKernel()([[0], [1]]).get(0, 1)).toBeCloseTo(Math.exp(-0.5), 15);
    setBackend('ts');
    expect(() => setBackend('wasm')).toThrow(/await ready\(\) first/);
  });

  it('after dispose, setBackend("ts") chooses the TypeScript backend explicitly', async () => {
    await ready();
    await dispose();
    expect(() => rbfKernel()([[0]])).toThrow(DISPOSED);
    setBackend('ts');
    expect(rbfKernel()([[0]]).get(0, 0)).toBe(1);
  });
});
