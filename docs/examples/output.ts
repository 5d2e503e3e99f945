// Where the examples write their plots: next to themselves, as <name>.svg, rendered by Vega in Node.
import { writeFileSync } from 'node:fs';
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
  const url = new URL(`./${name}.svg`, import.meta.url);
  writeFileSync(url, (await renderSvg(spec)) + '\n');
  console.log(`wrote docs/examples/${name}.svg`);
}

export const range = (start: number, end: number, count: number) =>
  Array.from({ length: count }, (_, i) => start + ((end - start) * i) / (count - 1));
