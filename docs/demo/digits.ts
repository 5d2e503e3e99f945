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

const KERNEL_NAMES: Record<string, string> = { cntk: 'CNTK (flatten)', gap: 'CNTK (globalAvgPool)', mlp: 'MLP NTK' };
const BLUE = [31, 119, 180];

/**
 * The normalized kernel as a table. Its colours span the table's own off-diagonal range (lightest at the
 * smallest value, darkest at the largest): the normalized CNTKs of digits all lie close to 1 (above 0.95 with
 * globalAvgPool), so a fixed scale would paint every cell the same. The diagonal, 1 by construction, is uncoloured.
 */
function showMatrix(chosen: number[], k: { get(i: number, j: number): number }): void {
  const normalized = chosen.map((_, a) => chosen.map((_, b) => k.get(a, b) / Math.sqrt(k.get(a, a) * k.get(b, b))));
  const offDiagonal = normalized.flatMap((row, a) => row.filter((_, b) => a !== b));
  const low = Math.min(...offDiagonal);
  const high = Math.max(...offDiagonal);
  const shade = (value: number) => 0.08 + 0.92 * (high > low ? (value - low) / (high - low) : 1);
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
    normalized[a].forEach((value, b) => {
      const cell = row.insertCell();
      cell.textContent = value.toFixed(3);
      if (a === b) return;
      const alpha = shade(value);
      cell.style.background = `rgba(${BLUE.join(', ')}, ${alpha.toFixed(2)})`;
      if (alpha > 0.6) cell.style.color = '#fff';
    });
  });
  const legend = element('legend');
  legend.querySelector('.low')!.textContent = low.toFixed(3);
  legend.querySelector('.high')!.textContent = high.toFixed(3);
  legend.querySelector<HTMLElement>('.bar')!.style.background =
    `linear-gradient(to right, rgba(${BLUE.join(', ')}, ${shade(low)}), rgba(${BLUE.join(', ')}, ${shade(high)}))`;
  legend.hidden = false;
}

// The table and its legend stay until the next result; from the moment a run starts they are greyed, and the
// title names both the kernel being computed, or cancelled, and the one shown.
let shown: string | undefined;
function showState(title: string, stale: boolean): void {
  element('matrix-title').textContent = title;
  for (const id of ['matrix', 'legend']) element(id).toggleAttribute('data-stale', stale);
}

async function run(): Promise<void> {
  const chosen = [...selected].sort((a, b) => a - b);
  const which = element<HTMLSelectElement>('kernel').value;
  if (chosen.length < 2) {
    element('stats').textContent = 'pick at least two digits';
    return;
  }
  running?.abort();
  const controller = new AbortController();
  running = controller;
  const title = `${KERNEL_NAMES[which]} of ${chosen.length} digits`;
  const previous = shown === undefined ? '' : ` (grey: the previous table, ${shown})`;
  status(`running:${which}:${chosen.length}`);
  showState(`computing the ${title}…${previous}`, true);
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
    controller.signal.throwIfAborted();
    showMatrix(chosen, k);
    shown = title;
    showState(title, false);
    element('stats').textContent = `${title} in ${(performance.now() - started).toFixed(0)} ms (in a worker)`;
    status(`ready:${which}:${chosen.length}`);
  } catch (error) {
    if ((error as Error).name !== 'AbortError') throw error;
    if (running === controller) {
      element('stats').textContent = `cancelled after ${(performance.now() - started).toFixed(0)} ms`;
      showState(`cancelled: the ${title}${previous}`, true);
      status(`cancelled:${which}:${chosen.length}`);
    }
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
