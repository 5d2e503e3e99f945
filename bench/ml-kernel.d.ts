// The part of ml-kernel's untyped API the benchmarks use.
declare module 'ml-kernel' {
  import type { Matrix } from 'ml-matrix';
  export class Kernel {
    constructor(type: string, options?: Record<string, number>);
    compute(inputs: Matrix | number[][], landmarks?: Matrix | number[][]): Matrix;
  }
}
