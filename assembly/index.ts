export { alloc, mark, release } from "./heap";
export { gemm } from "./linalg/gemm";
export { syrk } from "./linalg/syrk";
export { cholesky } from "./linalg/cholesky";
export { trsmLower } from "./linalg/trsm";
export { eigh } from "./linalg/eigh";
export { classicGram } from "./kernels/classic";
export { dualDescent, primalDescent } from "./flow/descent";
export { eulerSteps } from "./flow/euler";
