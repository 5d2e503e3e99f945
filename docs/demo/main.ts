// The browser demo: controls → train a network and predict with the analytic NTK flow and the NNGP
// posterior. Everything runs in a worker (spawnWorker), so the page stays responsive; a run reports its
// training progress and can be cancelled, and a new setting cancels the run before it.
import { type Activation, type Remote, spawnWorker } from 'ntk-wasm';
import { chartValues } from '../examples/plot.js';
import { type Curves, demoSeries } from './chart.js';

performance.mark('module-start');
const xTrain = [-0.9, -0.6, -0.3, 0, 0.3, 0.6, 0.9].map((v) => [v]);
const yTrain = xTrain.map(([v]) => [Math.sin(3 * v)]);
const grid = Array.from({ length: 101 }, (_, i) => [-1.5 + (3 * i) / 100]);
const xs = grid.map(([v]) => v);
const element = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const progress = element<HTMLProgressElement>('progress');
const cancel = element<HTMLButtonElement>('cancel');
const status = (state: string) => {
  document.body.dataset.state = state;
};

// The worker script is bundled next to this one (scripts/demo.mjs).
const ntk = await spawnWorker({ workerUrl: new URL('./host.js', import.meta.url) });
let running: AbortController | undefined;


// The chart is drawn to SVG in a worker of its own (chart-worker.ts), which loads Vega while the library's
// worker starts; the page inserts each SVG.
const chartWorker = new Worker(new URL('./chart-worker.js', import.meta.url), { type: 'module' });
let drawn = 0;
function renderChart(values: Record<string, number | string>[]): Promise<string> {
  const id = ++drawn;
  return new Promise((resolve) => {
    const onReply = (event: MessageEvent<{ id: number; svg: string }>) => {
      if (event.data.id !== id) return;
      chartWorker.removeEventListener('message', onReply);
      resolve(event.data.svg);
    };
    chartWorker.addEventListener('message', onReply);
    chartWorker.postMessage({ id, values });
  });
}

// What the plot shows, and whether it is stale: from the moment a run starts until it draws, the plot (and
// the numbers under it, until they are replaced) are greyed and the title names both the setting being
// computed, or cancelled, and the one drawn.
let shown: string | undefined;
function showState(title: string, stale: boolean): void {
  element('plot-title').textContent = title;
  element('plot').toggleAttribute('data-stale', stale);
}
function showStats(lines: string[]): void {
  element('stats').textContent = lines.join('\n');
  element('stats').removeAttribute('data-stale');
}

async function draw(title: string, signal: AbortSignal, curves: Omit<Curves, 'grid' | 'xTrain' | 'yTrain'>): Promise<void> {
  const svg = await renderChart(chartValues(demoSeries({ ...curves, grid: xs, xTrain: xTrain.map(([v]) => v), yTrain: yTrain.map(([v]) => v) })));
  // A newer setting or Cancel may have come while the chart was drawn: this result is no longer wanted.
  signal.throwIfAborted();
  element('plot').innerHTML = svg;
  shown = title;
  showState(title, false);
}

async function update(): Promise<void> {
  running?.abort();
  const controller = new AbortController();
  running = controller;
  const { signal } = controller;
  const activation = element<HTMLSelectElement>('activation').value as Activation;
  const depth = Math.max(1, Math.min(4, Math.round(Number(element<HTMLInputElement>('depth').value) || 1)));
  const width = Number(element<HTMLSelectElement>('width').value);
  const steps = Math.round(10 ** Number(element<HTMLInputElement>('time').value));
  const setting = `${activation}:${depth}:${width}:${steps}`;
  const title = `${activation}, depth ${depth}, width ${width}, ${steps} steps`;
  const previous = shown === undefined ? '' : ` (grey: the previous result, ${shown})`;
  const started = performance.now();
  const handles: Remote<unknown>[] = [];
  const keep = <T>(handle: T) => (handles.push(handle as Remote<unknown>), handle);
  status(`running:${setting}`);
  showState(`computing ${title}…${previous}`, true);
  element('stats').setAttribute('data-stale', '');
  progress.value = 0;
  cancel.disabled = false;
  try {
    const net = keep(await ntk.mlp({ inputDim: 1, widths: Array(depth).fill(width), activation, bStd: 0.2, seed: 1 }));
    const kernel = keep(await ntk.infiniteMlp({ depth, activation, bStd: 0.2 }));
    const train = await kernel.kernels(xTrain);
    const testTrain = await kernel.kernels(grid, xTrain);
    // The NTK flow starts from the network's own initial outputs, as the theory compares them.
    const flow = keep(await ntk.gradientDescentMse(train.ntk, yTrain));
    const ntkFlow = await flow.predict({ t: steps, fxTrain0: await net.apply(xTrain), fxTest0: await net.apply(grid), kTestTrain: testTrain.ntk });
    const gp = keep(await ntk.gpInference(train, yTrain, { diagReg: 1e-4 }));
    const posterior = await gp.predict('nngp', testTrain, await kernel.kernels(grid));
    const sd = xs.map((_, i) => Math.sqrt(Math.max(posterior.covariance!.get(i, i), 0)));

    const { loss } = await net.train(xTrain, yTrain, {
      learningRate: 1, steps, signal,
      onProgress: (done: number, total: number) => {
        progress.value = done / total;
      },
    });
    const trained = (await net.apply(grid)).data;
    const gap = Math.max(...trained.map((v, i) => Math.abs(v - ntkFlow.test!.data[i])));
    signal.throwIfAborted();
    await draw(title, signal, { trained, flow: ntkFlow.test!.data, mean: posterior.mean.data, sd });
    showStats([
      `training loss ${loss[0].toFixed(4)} → ${loss[steps].toExponential(3)}`,
      `max |network − NTK flow| ${gap.toFixed(4)}`,
      `NNGP σ at x = 1.5: ${sd[100].toFixed(4)}`,
      `computed in ${(performance.now() - started).toFixed(0)} ms (in a worker)`,
    ]);
    status(`ready:${setting}`);
  } catch (error) {
    if ((error as Error).name !== 'AbortError') throw error;
    if (running === controller) {
      showStats([`cancelled after ${(performance.now() - started).toFixed(0)} ms`]);
      showState(`cancelled: ${title}${previous}`, true);
      status(`cancelled:${setting}`);
    }
  } finally {
    if (running === controller) {
      cancel.disabled = true;
      running = undefined;
    }
    for (const handle of handles) void ntk.release(handle).catch(() => undefined);
  }
}

{
  const { backend, simd, threads } = await ntk.backendInfo();
  element('backend').textContent = backend === 'wasm' ? `wasm (${simd} SIMD, ${threads} threads, in a worker)` : backend;
}
cancel.addEventListener('click', () => running?.abort());
for (const id of ['activation', 'depth', 'width', 'time']) element(id).addEventListener('input', () => void update());
void update();
