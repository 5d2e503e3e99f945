import { describe, expect, it, vi } from 'vitest';
import { backendInfo, dispose, getBackend, rbfKernel, ready, setBackend } from '../../src/index.js';
import { wasmHeap } from '../../src/backend/registry.js';
import { WorkerPool } from '../../src/backend/wasm/pool.js';
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

  it('releases the old module when ready() loads other options, as dispose() does', async () => {
    await ready({ threads: 2 });
    const x = uniformMatrix(600, 8, 2);
    const before = rbfKernel({ lengthscale: 2 })(x);
    const memory = new WeakRef(wasmHeap()!.memory);
    await ready({ threads: 1 });
    expect(await collected(memory)).toBe(true);
    expectSameBits(rbfKernel({ lengthscale: 2 })(x).data, before.data, 'rbf after the reload');
  });

  it('after dispose, ops fail clearly while ready() loads again, until the new module is in', async () => {
    await ready({ threads: 1 });
    await dispose();
    let during: unknown;
    // Called once the reload is under way (it starts the pool of the new module).
    const create = WorkerPool.create;
    const spy = vi.spyOn(WorkerPool, 'create').mockImplementation((...args) => {
      try {
        during = rbfKernel()([[0]]);
      } catch (error) {
        during = error;
      }
      return create.apply(WorkerPool, args);
    });
    try {
      await ready({ threads: 2 });
    } finally {
      spy.mockRestore();
    }
    expect(during).toEqual(new Error(DISPOSED));
    expect(rbfKernel()([[0]]).get(0, 0)).toBe(1);
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
