// Reference version of assembly/kernels/nystrom.ts: one row of K(x, C) at a time, in a scratch row, with the
// same formulas (for the RBF, x·(2γc) accumulated onto −γ‖x‖² − γ‖c‖², then exp(min(·, 0))).
import { nystromCenters } from '../../../core/kernels.js';
import type { ClassicKernelSpec, NystromMode, NystromSession } from '../../types.js';
import { classicValue, squaredNorms } from './classic.js';

export function nystromSession(spec: ClassicKernelSpec, x: Float64Array, n: number, d: number, centers: Float64Array, m: number): NystromSession {
  const rbf = spec.kind === 'rbf';
  const { centersT, offsets } = nystromCenters(spec, centers, m, d);
  // Back to one center per row, so the inner products read memory in order.
  const scaled = new Float64Array(m * d);
  for (let j = 0; j < m; j++) for (let p = 0; p < d; p++) scaled[j * d + p] = centersT[p * m + j];
  const rowNorms = rbf ? squaredNorms(x, n, d) : new Float64Array(0);
  const row = new Float64Array(m);
  return {
    rows(_fn: string, mode: NystromMode, v: Float64Array, k: number, r0: number, r1: number) {
      const out = new Float64Array(mode === 'times' ? (r1 - r0) * k : m * k);
      for (let i = r0; i < r1; i++) {
        const rowOffset = rbf ? spec.gamma * rowNorms[i] : 0;
        for (let j = 0; j < m; j++) {
          let g = rbf ? -rowOffset - offsets[j] : 0;
          for (let p = 0; p < d; p++) g += x[i * d + p] * scaled[j * d + p];
          row[j] = rbf ? Math.exp(Math.min(g, 0)) : classicValue(spec, g, 0, 0);
        }
        for (let c = 0; c < k; c++) {
          let ui: number;
          if (mode === 'transpose') {
            ui = v[(i - r0) * k + c];
          } else {
            ui = 0;
            for (let j = 0; j < m; j++) ui += row[j] * v[j * k + c];
            if (mode === 'times') {
              out[(i - r0) * k + c] = ui;
              continue;
            }
          }
          for (let j = 0; j < m; j++) out[j * k + c] += ui * row[j];
        }
      }
      return out;
    },
    dispose() {},
  };
}
