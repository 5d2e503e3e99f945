// Forward Euler on gradient flow in function space: u ← u − rate·K·(u − y), and for test points
// fTest ← fTest − rate·K_test,train·(u − y), with rate = learningRate·dt/N.
import { scratch } from "../heap";
import { gemm } from "../linalg/gemm";

/** u and y are n × k, K is n × n, kTest (0: none) is m × n and fTest m × k; updates u and fTest in place. */
export function eulerSteps(n: i32, m: i32, k: i32, kernel: usize, kTest: usize, y: usize, u: usize, fTest: usize, steps: i32, rate: f64): void {
  const len = n * k;
  const residual = scratch((<usize>len) << 3);
  for (let s = 0; s < steps; s++) {
    let i = 0;
    for (; i + 2 <= len; i += 2) {
      const o = (<usize>i) << 3;
      v128.store(residual + o, f64x2.sub(v128.load(u + o), v128.load(y + o)));
    }
    for (; i < len; i++) {
      const o = (<usize>i) << 3;
      store<f64>(residual + o, load<f64>(u + o) - load<f64>(y + o));
    }
    // The test update reads the same residual as the train update, so both see u before the step.
    if (kTest != 0) gemm(0, 0, m, k, n, -rate, kTest, n, residual, k, 1.0, fTest, k);
    gemm(0, 0, n, k, n, -rate, kernel, n, residual, k, 1.0, u, k);
  }
}
