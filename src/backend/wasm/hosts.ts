// The JavaScript a program's elementwise layers run (src/ops/elementwise.ts), reached from their WASM passes
// (assembly/ops/elementwise.ts) through the module's imports, and a training loss given in JavaScript (reached from
// assembly/net/network.ts): while a call on such a program or with such a loss runs, they are the module's hosts,
// and the call stays on this thread (a worker cannot run the user's function).
import type { HostPasses, Program } from '../../core/layout.js';
import type { TrainingLoss } from '../types.js';

/** The names of the imports, one list for the calling thread's module and the workers' (where they throw). */
export const HOST_IMPORTS = ['hostApply', 'hostVariance', 'hostDual', 'hostLoss'] as const;

/** The hosts of one module's calls, and the imports that reach them. */
export class HostCalls {
  private hosts: readonly HostPasses[] = [];
  private loss: TrainingLoss | null = null;

  constructor(private readonly memory: WebAssembly.Memory) {}

  /** Whether the running call has JavaScript passes (then its work is not split over workers). */
  get active(): boolean {
    return this.hosts.length > 0 || this.loss !== null;
  }

  /** Runs `body` with a training loss in JavaScript as the host of assembly/net/network.ts's hostLoss. */
  withLoss<T>(loss: TrainingLoss | null, body: () => T): T {
    const saved = this.loss;
    this.loss = loss;
    try {
      return body();
    } finally {
      this.loss = saved;
    }
  }

  /** Runs `body` with the program's passes as the hosts (those of an enclosing call come back after). */
  with<T>(program: Program, body: () => T): T {
    const saved = this.hosts;
    this.hosts = program.hosts;
    try {
      return body();
    } finally {
      this.hosts = saved;
    }
  }

  private view(pointer: number, count: number): Float64Array {
    return new Float64Array(this.memory.buffer, pointer, count);
  }

  private host(index: number): HostPasses {
    const host = this.hosts[index] as HostPasses | undefined;
    if (host === undefined) throw new Error(`ntk-wasm: elementwise pass ${index} called outside its program's call`);
    return host;
  }

  /** The imports of assembly/ops/elementwise.ts. */
  imports(): Record<(typeof HOST_IMPORTS)[number], (...args: number[]) => number | void> {
    return {
      hostApply: (host, h, z, slope, count) => this.host(host).apply(this.view(h, count), this.view(z, count), this.view(slope, count)),
      hostVariance: (host, q) => this.host(host).variance(q),
      hostLoss: (f, y, rows, k, gradient) => {
        if (this.loss === null) throw new Error('ntk-wasm: a training loss called outside its training call');
        return this.loss(this.view(f, rows * k), this.view(y, rows * k), rows, k, this.view(gradient, rows * k));
      },
      hostDual: (host, q1, q1Step, q2, sigma, theta, sigmaOut, thetaOut, count) =>
        this.host(host).dual(
          this.view(q1, q1Step === 0 ? 1 : count),
          q1Step,
          this.view(q2, count),
          this.view(sigma, count),
          this.view(theta, count),
          this.view(sigmaOut, count),
          this.view(thetaOut, count),
        ),
    };
  }
}
