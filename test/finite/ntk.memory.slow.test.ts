// The empirical NTK by vector products never holds a Jacobian (npm run test:slow): on a network whose Jacobian of 60
// examples would take 980 MB, the WASM memory grows by a fraction of that, and the kernel equals the structured one.
import { describe, expect, it } from 'vitest';
import { empiricalNtk, mlp, ready } from '../../src/index.js';
import { wasmHeap } from '../../src/backend/registry.js';
import { uniformMatrix } from '../../src/random.js';
import { expectClose } from '../helpers/close.js';

describe('ntkVectorProducts in bounded memory', { timeout: 120_000 }, () => {
  it("an MLP of 204,410 parameters with 10 outputs on 60 examples: 'full' grows the memory by < 200 MB, J would be 980 MB", async () => {
    await ready({ threads: 2 });
    const net = mlp({ inputDim: 100, widths: [400, 400], outputDim: 10, seed: 3 });
    const x = uniformMatrix(60, 100, 4);
    const jacobianBytes = 60 * 10 * net.numParams * 8;
    expect(jacobianBytes).toBeGreaterThan(9.8e8);
    const memory = wasmHeap()!.memory;
    const before = memory.buffer.byteLength;
    const products = empiricalNtk(net, x, undefined, { outputs: 'full', implementation: 'ntkVectorProducts' });
    const grown = memory.buffer.byteLength - before;
    expect(grown, `the WASM memory grew by ${(grown / 1e6).toFixed(0)} MB`).toBeLessThan(2e8);
    expectClose(products, empiricalNtk(net, x, undefined, { outputs: 'full' }), 1e-12, 'ntkVectorProducts vs structured', 'normwise');
  });
});
