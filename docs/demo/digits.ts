// The digits page: pick MNIST digits, compute the infinite-width CNTK (or the MLP NTK) between them in a
// worker (spawnWorker) with progress and cancellation, and show the normalized kernel. The digits are a few of
// the `mnist` package's, written to dist/digits.json when the demo is bundled (scripts/demo.mjs).
import { type InfiniteMlp, type Remote, conv, dense, flatten, globalAvgPool, relu, serial, spawnWorker } from 'ntk-wasm';

const element = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = (state: string) => {
  document.body.dataset.state = state;
};
const progress = element<HTMLProgressElement>('progress');
const cancel = element<HTMLButtonElement>('cancel');
const compute = element<HTMLButtonElement>('compute');

const ntk = await spawnWorker({ workerUrl: new URL('./host.js', import.meta.url) });
const { digits, labels } = (await (await fetch(new URL('./digits.json', import.meta.url))).json()) as { digits: number[][]; labels: number[] };

function drawDigit(canvas: HTMLCanvasElement, pixels: number[]): void {
  canvas.width = 28;
  canvas.height = 28;
  const context = canvas.getContext('2d')!;
  const image = context.createImageData(28, 28);
  pixels.forEach((v, p) => {
    const shade = 255 - Math.round(255 * v);
    image.data.set([shade, shade, shade, 255], 4 * p);
  });
  context.putImageData(image, 0, 0);
}

// Two of every class are selected at first.
const selected = new Set(labels.map((label, i) => [label, i] as const).filter(([label], i) => label < 5 && i % 2 === 0).map(([, i]) => i));
digits.forEach((pixels, i) => {
  const canvas = document.createElement('canvas');
  canvas.setAttribute('role', 'button');
  canvas.setAttribute('aria-label', `digit ${labels[i]}`);
  canvas.setAttribute('aria-pressed', String(selected.has(i)));
  canvas.dataset.index = String(i);
  drawDigit(canvas, pixels);
  canvas.addEventListener('click', () => {
    if (selected.has(i)) selected.delete(i);
    else selected.add(i);
    canvas.setAttribute('aria-pressed', String(selected.has(i)));
  });
  element('digits').append(canvas);
});

const block = () => [conv(1, [3, 3], { padding: 'SAME' }), relu()];
// Kernels live in the worker; each is made once.
const kernels: Record<string, Promise<Remote<InfiniteMlp>>> = {
  cntk: ntk.infinite(serial(...block(), ...block(), ...block(), flatten(), dense(1)), { inputShape: [28, 28, 1] }),
  gap: ntk.infinite(serial(...block(), ...block(), ...block(), globalAvgPool(), dense(1)), { inputShape: [28, 28, 1] }),
  mlp: ntk.infiniteMlp({ depth: 3, activation: 'relu', wStd: Math.SQRT2 }),
};
let running: AbortController | undefined;

function showMatrix(chosen: number[], k: { get(i: number, j: number): number }): void {
  const table = element<HTMLTableElement>('matrix');
  table.replaceChildren();
  const header = table.insertRow();
  header.append(document.createElement('th'));
  for (const i of chosen) {
    const cell = document.createElement('th');
    const canvas = document.createElement('canvas');
    drawDigit(canvas, digits[i]);
    cell.append(canvas);
    header.append(cell);
  }
  chosen.forEach((i, a) => {
    const row = table.insertRow();
    const head = document.createElement('th');
    head.textContent = String(labels[i]);
    row.append(head);
    chosen.forEach((_, b) => {
      const value = k.get(a, b) / Math.sqrt(k.get(a, a) * k.get(b, b));
      const cell = row.insertCell();
      cell.textContent = value.toFixed(3);
      // Darker for more alike, on the range the off-diagonal entries span.
      cell.style.background = `rgba(31, 119, 180, ${Math.max(0, Math.min(1, (value - 0.5) * 2)).toFixed(2)})`;
    });
  });
}

async function run(): Promise<void> {
  running?.abort();
  const controller = new AbortController();
  running = controller;
  const chosen = [...selected].sort((a, b) => a - b);
  const which = element<HTMLSelectElement>('kernel').value;
  if (chosen.length < 2) {
    element('stats').textContent = 'pick at least two digits';
    return;
  }
  status(`running:${which}:${chosen.length}`);
  progress.value = 0;
  cancel.disabled = false;
  const started = performance.now();
  try {
    const kernel = await kernels[which];
    const k = await kernel.ntk(chosen.map((i) => digits[i]), undefined, {
      signal: controller.signal,
      onProgress: (done: number, total: number) => {
        progress.value = done / total;
      },
    });
    showMatrix(chosen, k);
    const name = { cntk: 'CNTK (flatten)', gap: 'CNTK (globalAvgPool)', mlp: 'MLP NTK' }[which];
    element('stats').textContent = `${name} of ${chosen.length} digits in ${(performance.now() - started).toFixed(0)} ms (in a worker)`;
    status(`ready:${which}:${chosen.length}`);
  } catch (error) {
    if ((error as Error).name !== 'AbortError') throw error;
    element('stats').textContent = `cancelled after ${(performance.now() - started).toFixed(0)} ms`;
    status(`cancelled:${which}:${chosen.length}`);
  } finally {
    if (running === controller) {
      cancel.disabled = true;
      running = undefined;
    }
  }
}

{
  const { backend, simd, threads } = await ntk.backendInfo();
  element('backend').textContent = backend === 'wasm' ? `wasm (${simd} SIMD, ${threads} threads, in a worker)` : backend;
}
compute.addEventListener('click', () => void run());
cancel.addEventListener('click', () => running?.abort());
void run();
