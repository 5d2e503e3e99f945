// Every suite of `npm run bench` by name, in the order of its table, so that a child process (bench/child.ts)
// can build one suite and run one of its cases alone.
import os from 'node:os';
import { cntkCases } from './cntk.js';
import { denseCases } from './dense.js';
import { infiniteCases } from './infinite.js';
import { kernelCases } from './kernels.js';
import { linalgCases } from './linalg.js';
import { networkCases } from './networks.js';
import { scaleCases } from './scale.js';
import type { BenchCase } from './suite.js';
import { threadCases } from './threads.js';

export const SUITES: Record<string, () => BenchCase[]> = {
  linalg: linalgCases,
  dense: denseCases,
  kernels: kernelCases,
  networks: networkCases,
  infinite: infiniteCases,
  cntk: cntkCases,
  // The default number of threads of ready() in Node.
  threads: () => threadCases(os.availableParallelism()),
  scale: scaleCases,
};
