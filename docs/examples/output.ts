// Where the examples write their plots: next to themselves, as <name>.svg.
import { writeFileSync } from 'node:fs';
import { type PlotSpec, linePlot } from './plot.js';

export function savePlot(name: string, spec: PlotSpec): void {
  const url = new URL(`./${name}.svg`, import.meta.url);
  writeFileSync(url, linePlot(spec) + '\n');
  console.log(`wrote docs/examples/${name}.svg`);
}

export const range = (start: number, end: number, count: number) =>
  Array.from({ length: count }, (_, i) => start + ((end - start) * i) / (count - 1));
