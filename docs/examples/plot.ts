// A small SVG line-plot writer for the examples and the browser demo (no dependencies).

/** One curve, point cloud or band. */
export interface Series {
  label: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** 'line' (default), 'dashed', or 'points'. */
  style?: 'line' | 'dashed' | 'points';
  color?: string;
  /** A shaded band between lower and upper (same x). */
  band?: { lower: ArrayLike<number>; upper: ArrayLike<number> };
}

/** What to draw. */
export interface PlotSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  logX?: boolean;
  logY?: boolean;
  width?: number;
  height?: number;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#17becf'];

function niceTicks(low: number, high: number, count: number): number[] {
  const span = high - low || 1;
  const step = 10 ** Math.floor(Math.log10(span / count));
  const factor = [1, 2, 5, 10].find((f) => span / (f * step) <= count) ?? 10;
  const size = factor * step;
  const ticks: number[] = [];
  for (let t = Math.ceil(low / size) * size; t <= high + 1e-12 * span; t += size) ticks.push(+t.toPrecision(12));
  return ticks;
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const format = (v: number) => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(0) : String(+v.toPrecision(4)));

/** The plot as an SVG document. */
export function linePlot(spec: PlotSpec): string {
  const width = spec.width ?? 640;
  const height = spec.height ?? 400;
  const margin = { left: 70, right: 20, top: 40, bottom: 55 };
  const fx = spec.logX ? Math.log10 : (v: number) => v;
  const fy = spec.logY ? Math.log10 : (v: number) => v;
  const xs: number[] = [];
  const ys: number[] = [];
  for (const s of spec.series) {
    for (let i = 0; i < s.x.length; i++) {
      xs.push(fx(s.x[i]));
      ys.push(fy(s.y[i]));
      if (s.band) ys.push(fy(s.band.lower[i]), fy(s.band.upper[i]));
    }
  }
  const finite = (v: number[]) => v.filter(Number.isFinite);
  let [x0, x1] = [Math.min(...finite(xs)), Math.max(...finite(xs))];
  let [y0, y1] = [Math.min(...finite(ys)), Math.max(...finite(ys))];
  if (x0 === x1) [x0, x1] = [x0 - 1, x1 + 1];
  if (y0 === y1) [y0, y1] = [y0 - 1, y1 + 1];
  const pad = 0.05 * (y1 - y0);
  [y0, y1] = [y0 - pad, y1 + pad];
  const px = (v: number) => margin.left + ((v - x0) / (x1 - x0)) * (width - margin.left - margin.right);
  const py = (v: number) => height - margin.bottom - ((v - y0) / (y1 - y0)) * (height - margin.top - margin.bottom);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${escape(spec.title)}</text>`,
  ];
  // Log axes: powers of ten, and 2× and 5× them too when fewer than three powers fit.
  const logTicks = (low: number, high: number) => {
    const inRange = (t: number) => t >= low - 1e-9 && t <= high + 1e-9;
    const decades = Array.from({ length: Math.ceil(high) - Math.floor(low) + 1 }, (_, i) => Math.floor(low) + i);
    const powers = decades.filter(inRange);
    return powers.length >= 3 ? powers : decades.flatMap((k) => [k, k + Math.log10(2), k + Math.log10(5)]).filter(inRange);
  };
  const axisTicks = (low: number, high: number, log: boolean | undefined) => (log ? logTicks(low, high) : niceTicks(low, high, 8));
  for (const t of axisTicks(x0, x1, spec.logX)) {
    parts.push(`<line x1="${px(t)}" x2="${px(t)}" y1="${margin.top}" y2="${height - margin.bottom}" stroke="#eee"/>`,
      `<text x="${px(t)}" y="${height - margin.bottom + 16}" text-anchor="middle">${spec.logX ? format(10 ** t) : format(t)}</text>`);
  }
  for (const t of axisTicks(y0, y1, spec.logY)) {
    parts.push(`<line x1="${margin.left}" x2="${width - margin.right}" y1="${py(t)}" y2="${py(t)}" stroke="#eee"/>`,
      `<text x="${margin.left - 6}" y="${py(t) + 4}" text-anchor="end">${spec.logY ? format(10 ** t) : format(t)}</text>`);
  }
  parts.push(`<rect x="${margin.left}" y="${margin.top}" width="${width - margin.left - margin.right}" height="${height - margin.top - margin.bottom}" fill="none" stroke="#444"/>`,
    `<text x="${width / 2}" y="${height - 12}" text-anchor="middle">${escape(spec.xLabel)}</text>`,
    `<text transform="translate(16 ${height / 2}) rotate(-90)" text-anchor="middle">${escape(spec.yLabel)}</text>`);
  spec.series.forEach((s, index) => {
    const color = s.color ?? PALETTE[index % PALETTE.length];
    const points = Array.from({ length: s.x.length }, (_, i) => [px(fx(s.x[i])), py(fy(s.y[i]))]);
    if (s.band) {
      const upper = Array.from({ length: s.x.length }, (_, i) => `${px(fx(s.x[i])).toFixed(1)},${py(fy(s.band!.upper[i])).toFixed(1)}`);
      const lower = Array.from({ length: s.x.length }, (_, i) => `${px(fx(s.x[i])).toFixed(1)},${py(fy(s.band!.lower[i])).toFixed(1)}`).reverse();
      parts.push(`<polygon points="${[...upper, ...lower].join(' ')}" fill="${color}" fill-opacity="0.15" stroke="none"/>`);
    }
    if (s.style === 'points') {
      for (const [x, y] of points) parts.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="3" fill="${color}"/>`);
    } else {
      parts.push(`<polyline points="${points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ')}" fill="none" stroke="${color}" stroke-width="2"${s.style === 'dashed' ? ' stroke-dasharray="6 4"' : ''}/>`);
    }
    const ly = margin.top + 14 + 16 * index;
    parts.push(`<line x1="${width - margin.right - 150}" x2="${width - margin.right - 130}" y1="${ly - 4}" y2="${ly - 4}" stroke="${color}" stroke-width="2"/>`,
      `<text x="${width - margin.right - 125}" y="${ly}">${escape(s.label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}
