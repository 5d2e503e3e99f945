// Numerical edge cases and reproducibility.
import { expect, it } from 'vitest';
import { KernelRidge, Matrix, eigh, empiricalNtk, getBackend, infiniteMlp, mlp, rbfKernel, solveSpd } from '../../src/index.js';
import { describeEachBackend } from '../helpers/backends.js';
import { expectClose } from '../helpers/close.js';

describeEachBackend('numerical robustness', () => {
  it('a kernel matrix with duplicate rows: solveSpd explains and suggests diagReg; a ridge fixes it', () => {
    const x = [
      [0.1, 0.2],
      [0.1, 0.2],
      [0.5, -0.3],
    ];
    const k = rbfKernel()(x);
    expect(() => solveSpd(k, [[1], [1], [0]])).toThrow(/not positive definite.*diagReg/);
    const predictions = new KernelRidge(rbfKernel(), { ridge: 1e-6 }).fit(x, [1, 1, 0]).predict(x);
    expectClose(predictions, [[1], [1], [0]], 1e-4, 'predictions', 'normwise');
  });

  it('depth-50 analytic kernels stay finite (relu, erf, gelu) and positive on the diagonal', () => {
    const x = [
      [1, 2],
      [0.5, -1],
      [0, 0.1],
    ];
    for (const activation of ['relu', 'erf', 'gelu'] as const) {
      const { nngp, ntk } = infiniteMlp({ depth: 50, activation, wStd: Math.SQRT2, bStd: 0.05 }).kernels(x);
      expect([...nngp.data, ...ntk.data].every(Number.isFinite)).toBe(true);
      for (let i = 0; i < 3; i++) expect(ntk.get(i, i)).toBeGreaterThan(0);
    }
  });

  it('relu and erf maps stay in range at correlation ±1 (x with itself, with 2x, with −x)', () => {
    const x = [
      [0.3, -0.4],
      [0.6, -0.8],
      [-0.3, 0.4],
    ];
    const correlation = (k: Matrix, i: number, j: number) => k.get(i, j) / Math.sqrt(k.get(i, i) * k.get(j, j));
    for (const activation of ['relu', 'erf', 'abs', 'leaky_relu'] as const) {
      const { nngp, ntk } = infiniteMlp({ depth: 3, activation, bStd: null }).kernels(x);
      expect([...nngp.data, ...ntk.data].every(Number.isFinite)).toBe(true);
      for (const [i, j] of [
        [0, 1],
        [0, 2],
        [1, 2],
      ])
        expect(Math.abs(correlation(nngp, i, j))).toBeLessThanOrEqual(1 + 1e-12);
      // Positively homogeneous maps keep x and 2x perfectly correlated through every layer.
      if (activation !== 'erf') expect(Math.abs(correlation(nngp, 0, 1) - 1)).toBeLessThan(1e-12);
    }
  });

  it('eigh gives no NaN on repeated eigenvalues: identity, zero matrix, a 3-fold cluster', () => {
    const cluster = new Matrix(5, 5);
    for (let i = 0; i < 5; i++) cluster.data[i * 5 + i] = i < 3 ? 2 : i;
    for (const a of [Matrix.identity(6), new Matrix(4, 4), cluster]) {
      const { values, vectors } = eigh(a);
      expect([...values, ...vectors.data].every(Number.isFinite)).toBe(true);
    }
    expectClose(eigh(cluster).values, [2, 2, 2, 3, 4], 1e-14);
  });
});

describeEachBackend('reproducibility', () => {
  it('a seed gives bit-identical parameters everywhere (pinned values)', () => {
    const net = mlp({ inputDim: 3, widths: [5], outputDim: 2, bStd: 0.1, seed: 42 });
    expect([net.params[0], net.params[7], net.params[net.numParams - 1]]).toEqual([1.1226591822802086, -2.6079265875146236, -2.0261693778224186]);
    expect(mlp({ inputDim: 3, widths: [5], outputDim: 2, bStd: 0.1, seed: 42 }).params).toEqual(net.params);
  });

  it('kernels repeat bit for bit on a backend, and agree across backends to 1e-12 (pinned values)', () => {
    const net = mlp({ inputDim: 2, widths: [16, 16], bStd: 0.1, seed: 7 });
    const x = [
      [0.1, -0.2],
      [0.3, 0.4],
      [-0.5, 0.6],
    ];
    const first = empiricalNtk(net, x);
    expect(empiricalNtk(net, x).data).toEqual(first.data);
    const analytic = infiniteMlp({ depth: 2, activation: 'relu', bStd: 0.1 }).ntk(x);
    expect(infiniteMlp({ depth: 2, activation: 'relu', bStd: 0.1 }).ntk(x).data).toEqual(analytic.data);
    expectClose(
      [first.get(0, 1), first.get(2, 2), analytic.get(0, 1)],
      [PINNED_EMPIRICAL_01, PINNED_EMPIRICAL_22, PINNED_ANALYTIC_01],
      1e-12,
      `pinned kernels on ${getBackend()}`,
    );
  });
});

// Computed once on the wasm backend in Node; the ts backend and Chromium must agree.
const PINNED_EMPIRICAL_01 = 0.042699521970672207;
const PINNED_EMPIRICAL_22 = 0.29758279144200084;
const PINNED_ANALYTIC_01 = 0.026676353993917164;
