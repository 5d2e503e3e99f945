// Child processes that time calls on request: one benchmark case (bench/child.ts) or one numpy workload
// (bench/numpy_peer.py --serve), both speaking the same protocol of JSON lines.
import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** A process holding one workload, ready to run it. */
export interface Timer {
  /** Times `calls` calls in a row, in ms. */
  times(calls: number): Promise<number[]>;
  /** Ends the process; resolves once it has exited. */
  close(): Promise<void>;
}

function start(child: ChildProcessWithoutNullStreams, what: string): Promise<Timer> {
  const waiting: { resolve: (message: { ms?: number[] }) => void; reject: (error: Error) => void }[] = [];
  const failed = (error: Error) => waiting.splice(0).forEach((w) => w.reject(error));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  child.on('exit', (code) => failed(new Error(`${what} exited (code ${code})`)));
  child.on('error', failed);
  child.stderr.pipe(process.stderr);
  // Only JSON lines answer; anything else the workload prints passes through.
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line.startsWith('{')) waiting.shift()?.resolve(JSON.parse(line) as { ms?: number[] });
    else console.log(line);
  });
  const next = () => new Promise<{ ms?: number[] }>((resolve, reject) => waiting.push({ resolve, reject }));
  return next().then(() => ({
    times: (calls) => {
      const answer = next();
      child.stdin.write(`${calls}\n`);
      return answer.then(({ ms }) => ms!);
    },
    close: () => {
      child.stdin.end();
      return exited;
    },
  }));
}

/** A case of a suite of bench/suites.ts (or 'guard', bench/guard.ts) in a fresh Node process, run as `npm run bench` runs. */
export function startCase(suite: string, group: string, impl: string): Promise<Timer> {
  const child = spawn(process.execPath, [...process.execArgv, new URL('./child.ts', import.meta.url).pathname, suite, group, impl]);
  return start(child, `${group} ${impl}`);
}

/** OpenBLAS on `threads` threads, choosing its own kernels: the machine's OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE dropped. */
export function openblasEnv(threads: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: String(threads) };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

const numpyPeer = new URL('./numpy_peer.py', import.meta.url).pathname;

/** The groups bench/numpy_peer.py has a workload for; empty when python3 with numpy and scipy is missing. */
export function numpyGroups(): string[] {
  try {
    return execFileSync('python3', [numpyPeer, '--list'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .trim()
      .split('\n');
  } catch {
    return [];
  }
}

/** One call of a numpy workload and then repeats, in a fresh process: its first call and the spread of the rest. */
export function numpyOnce(
  group: string,
  threads: number,
): { group: string; impl: string; firstMs: number; ms: number; minMs: number; maxMs: number; calls: number } {
  return JSON.parse(execFileSync('python3', [numpyPeer, group], { encoding: 'utf8', env: openblasEnv(threads) }));
}

/** A numpy workload in a fresh python process, timed on request. */
export function startNumpy(group: string, threads: number): Promise<Timer> {
  return start(spawn('python3', [numpyPeer, '--serve', group], { env: openblasEnv(threads) }), `numpy ${group}`);
}

/** The first call of a case in a fresh process (bench/child.ts runs it alone), in ms. */
export async function firstCallMs(suite: string, group: string, impl: string): Promise<number> {
  const timer = await startCase(suite, group, impl);
  const [ms] = await timer.times(1);
  await timer.close();
  return ms;
}
