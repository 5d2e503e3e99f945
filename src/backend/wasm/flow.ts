// The WASM backend's gradient flows and descents: whole runs in one export each, reading their losses back.
import type { FlowBackend } from '../types.js';
import type { WasmContext } from './threads.js';

export function wasmFlows({ exports, heap }: WasmContext): FlowBackend {
  return {
    dualDescent(fn, kernel, y, n, k, steps, rate, ridge, lossScale) {
      const op = fn;
      return heap.frame(op, kernel.length + 3 * y.length + steps + 1, () => {
        const kernelPtr = heap.copyIn(op, kernel);
        const yPtr = heap.copyIn(op, y);
        const alphaPtr = heap.alloc(op, n * k);
        heap.view(alphaPtr, n * k).fill(0);
        const lossesPtr = heap.alloc(op, steps + 1);
        exports.dualDescent(n, k, kernelPtr, yPtr, alphaPtr, steps, rate, ridge, lossScale, lossesPtr);
        return { params: heap.copyOut(alphaPtr, n * k), losses: heap.copyOut(lossesPtr, steps + 1) };
      });
    },
    primalDescent(fn, features, y, n, p, k, steps, rate, ridge, lossScale, theta0) {
      const op = fn;
      return heap.frame(op, features.length + 2 * y.length + 2 * p * k + steps + 1, () => {
        const featuresPtr = heap.copyIn(op, features);
        const yPtr = heap.copyIn(op, y);
        const thetaPtr = heap.alloc(op, p * k);
        if (theta0 === null) heap.view(thetaPtr, p * k).fill(0);
        else heap.view(thetaPtr, p * k).set(theta0);
        const lossesPtr = heap.alloc(op, steps + 1);
        exports.primalDescent(n, p, k, featuresPtr, yPtr, thetaPtr, steps, rate, ridge, lossScale, lossesPtr);
        return { params: heap.copyOut(thetaPtr, p * k), losses: heap.copyOut(lossesPtr, steps + 1) };
      });
    },
    eulerFlow(fn, kernel, kTest, y, u0, fTest0, n, m, k, rate) {
      const op = fn;
      const saved = heap.open(op, kernel.length + (kTest?.length ?? 0) + 3 * y.length + (fTest0?.length ?? 0));
      try {
        const kernelPtr = heap.copyIn(op, kernel);
        const kTestPtr = kTest === null ? 0 : heap.copyIn(op, kTest);
        const yPtr = heap.copyIn(op, y);
        const uPtr = heap.copyIn(op, u0);
        const fTestPtr = fTest0 === null ? 0 : heap.copyIn(op, fTest0);
        let open = true;
        return {
          advance(steps) {
            heap.run(op, () => exports.eulerSteps(n, m, k, kernelPtr, kTestPtr, yPtr, uPtr, fTestPtr, steps, rate));
          },
          read() {
            return { train: heap.copyOut(uPtr, n * k), test: fTestPtr === 0 ? null : heap.copyOut(fTestPtr, m * k) };
          },
          dispose() {
            if (open) heap.close(saved);
            open = false;
          },
        };
      } catch (error) {
        heap.close(saved);
        throw error;
      }
    },
  };
}
