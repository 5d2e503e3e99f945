// Draws the demo's chart off the main thread: Vega (compiled chart from scripts/demo.mjs) renders each
// result's rows to an SVG string here, and the page only inserts it, so neither Vega's start nor a redraw
// is a long task on the page.
import { View, parse } from 'vega';

const chart = fetch(new URL('./chart.json', import.meta.url))
  .then((response) => response.json())
  .then((spec) => new View(parse(spec), { renderer: 'none' }));

self.addEventListener('message', async (event: MessageEvent<{ id: number; values: Record<string, number | string>[] }>) => {
  const view = await chart;
  view.data('points', event.data.values);
  // Axis labels change width with the data: lay the chart out again.
  await view.resize().runAsync();
  self.postMessage({ id: event.data.id, svg: await view.toSVG() });
});
