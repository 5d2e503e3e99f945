import { dense, empiricalNtk, mlp, network, relu, residual, serial } from '../src/index.js';
import { uniformMatrix } from '../src/random.js';
import { type BenchCase, onBackend } from './suite.js';

/** Gram products of the structured NTK of the [64 → 512 → 512 → k] net, x1 = x2 (lower triangles): n²·Σ_l (fanIn_l + k·width_l). */
export const structuredFlops = (n: number, k: number) => n * n * (64 + 512 + 512 + k * (512 + 512 + k));

export function networkCases(): BenchCase[] {
  const cases: BenchCase[] = [];
  const backends = ['wasm', 'ts'] as const;
  const spec = { inputDim: 64, widths: [512, 512], activation: 'relu' as const, seed: 0 };
  {
    const net = mlp(spec);
    const n = 1000;
    const x = uniformMatrix(n, 64, 1);
    const group = `empiricalNtk n=${n} [512,512] k=1`;
    for (const backend of backends) {
      cases.push({ ...onBackend(backend, group, structuredFlops(n, 1), () => empiricalNtk(net, x)), impl: `${backend} structured` });
    }
    // One run: the Jacobian contraction costs n²·P ≈ 3·10¹¹ flops.
    cases.push({
      ...onBackend('wasm', group, n * n * net.numParams, () => empiricalNtk(net, x, undefined, { implementation: 'jacobian' })),
      impl: 'wasm jacobian',
      slow: true,
    });
    const small = uniformMatrix(200, 64, 2);
    const smallGroup = 'empiricalNtk n=200 [512,512] k=1';
    for (const backend of backends) {
      cases.push({
        ...onBackend(backend, smallGroup, 200 * 200 * net.numParams, () => empiricalNtk(net, small, undefined, { implementation: 'jacobian' })),
        impl: `${backend} jacobian`,
        slow: true,
      });
      cases.push({ ...onBackend(backend, smallGroup, structuredFlops(200, 1), () => empiricalNtk(net, small)), impl: `${backend} structured` });
    }
  }
  {
    const net = mlp({ ...spec, outputDim: 10 });
    const n = 500;
    const x = uniformMatrix(n, 64, 3);
    const group = `empiricalNtk n=${n} [512,512] k=10 mean`;
    for (const backend of backends) {
      cases.push({ ...onBackend(backend, group, structuredFlops(n, 10), () => empiricalNtk(net, x)), impl: `${backend} structured` });
    }
    // The Jacobian contraction with 10 outputs takes minutes at n = 500; measured at n = 100.
    const small = uniformMatrix(100, 64, 6);
    const smallGroup = 'empiricalNtk n=100 [512,512] k=10 mean';
    for (const implementation of ['structured', 'jacobian'] as const) {
      cases.push({
        ...onBackend('wasm', smallGroup, implementation === 'jacobian' ? 100 * 100 * 10 * net.numParams : structuredFlops(100, 10), () =>
          empiricalNtk(net, small, undefined, { implementation }),
        ),
        impl: `wasm ${implementation}`,
        slow: implementation === 'jacobian',
      });
    }
  }
  {
    const n = 1000;
    const x = uniformMatrix(n, 64, 4);
    const y = uniformMatrix(n, 1, 5);
    const net = mlp(spec);
    const group = `MLP.train n=${n} [512,512], 100 steps`;
    // Per step: forward 2·n·P, backward 4·n·P (weights and signals).
    for (const backend of backends) {
      cases.push({ ...onBackend(backend, group, 100 * 6 * n * net.numParams, () => net.clone().train(x, y, { learningRate: 0.1, steps: 100 })), slow: true });
    }
  }
  {
    // Residual against plain, same dense layers: dense(512), 20 blocks [relu → dense(512)] (as residual
    // branches or in series), relu, dense(1): 22 dense layers either way.
    const n = 1000;
    const x = uniformMatrix(n, 64, 7);
    const blocks = Array.from({ length: 20 }, () => residual(relu(), dense(512)));
    const plainBlocks = Array.from({ length: 20 }, () => serial(relu(), dense(512)));
    const residualNet = network(serial(dense(512), ...blocks, relu(), dense(1)), { inputShape: [64], seed: 0 });
    const plainNet = network(serial(dense(512), ...plainBlocks, relu(), dense(1)), { inputShape: [64], seed: 0 });
    const flops = n * n * (64 + 512 + 21 * (512 + 512) + 1);
    for (const [name, net] of [
      ['residual', residualNet],
      ['plain', plainNet],
    ] as const) {
      cases.push({ ...onBackend('wasm', `empiricalNtk n=${n} depth 20 width 512, ${name}`, flops, () => empiricalNtk(net, x)), impl: 'wasm structured' });
    }
  }
  return cases;
}
