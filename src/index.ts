export { ready, setBackend, getBackend, type ReadyOptions } from './backend/registry.js';
export type { BackendName } from './backend/types.js';
export type { WasmSource } from './backend/wasm/loader.js';
export { Matrix, type MatrixInput } from './matrix.js';
export {
  matmul,
  gram,
  cholesky,
  solveTriangular,
  solveSpd,
  eigh,
  type MatmulOptions,
  type SolveTriangularOptions,
  type EighResult,
} from './linalg.js';
