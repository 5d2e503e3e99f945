// Where the examples write their plots, rendered by Vega in Node: out/examples/<name>.svg (ignored by git), or
// next to the examples over the committed figures with UPDATE_FIGURES=1 (`npm run example -- <name> --update`).
import { mkdirSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { View, parse } from 'vega';
import { compile } from 'vega-lite';
import { type PlotSpec, chartSpec } from './plot.js';

/** The plot as an SVG document. */
export async function renderSvg(spec: PlotSpec): Promise<string> {
  const view = new View(parse(compile(chartSpec(spec)).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export async function savePlot(name: string, spec: PlotSpec): Promise<void> {
  const dir = new URL(process.env.UPDATE_FIGURES === '1' ? './' : '../../out/examples/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const url = new URL(`${name}.svg`, dir);
  writeFileSync(url, (await renderSvg(spec)) + '\n');
  console.log(`wrote ${relative(fileURLToPath(new URL('../../', import.meta.url)), fileURLToPath(url))}`);
}

export const range = (start: number, end: number, count: number) =>
  Array.from({ length: count }, (_, i) => start + ((end - start) * i) / (count - 1));
