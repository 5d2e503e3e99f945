// The measured figures that README.md and docs/guide.md quote, in one results file, docs/figures.json, with a part per
// command that measures:
//   bundle  node scripts/bundle-size.mjs   what a page that bundles ready, rbfKernel and KernelRidge downloads
//   pack    node scripts/pack-size.mjs     the tarball of `npm pack` from a fresh clone
//   bench   npm run bench                  every row of its table in docs/benchmarks.md, of the same run
// Each command rewrites its own part and then the docs. The docs show a figure between markers, inline
//   <!-- figure: bundle.pageGzip -->71.1 kB<!-- /figure -->
// or as a table generated whole (TABLES below)
//   <!-- table: bench-summary -->
//   | case | wasm | … |
//   <!-- /table -->
// and `npm run docs:figures` (this script) rewrites what is between them from the file; test/docs/figures.test.ts
// fails when they disagree. Figure names:
//   bundle.codeRaw, .codeGzip, .buildRaw, .buildGzip, .pageRaw, .pageGzip   bytes, shown in kB
//   bundle.workerPageGzip, .workerSourceGzip, .workerOneFileGzip            the same, for a page that calls spawnWorker
//   pack.files, pack.size, pack.unpackedSize                                the tarball's files, its size in kB
//   bench.median <case> / <implementation>, bench.first <…> / <…>          a row of the table: ms or s
//   bench.peak <workload>                                                   a row of its peak-memory table: MB
//   bundle.run, pack.run, bench.run                                         the commit and day measured
//   bench.machine                                                           the CPU, cores and Node of the run
// Usage: node scripts/figures.mjs [--check] [--from-benchmarks]
//   --check            rewrite nothing; list the figures the docs show differently and exit 1 if any
//   --from-benchmarks  first take the part `bench` from the table docs/benchmarks.md has now
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = new URL('../', import.meta.url);
const FIGURES_FILE = 'docs/figures.json';
const BENCHMARKS_FILE = 'docs/benchmarks.md';
/** The documents whose figures come from docs/figures.json. */
export const DOCUMENTS = ['README.md', 'docs/guide.md'];
/** Each part of docs/figures.json and the command that writes it. */
export const PARTS = { bundle: 'node scripts/bundle-size.mjs', pack: 'node scripts/pack-size.mjs', bench: 'npm run bench' };
const BENCH_BEGIN = '<!-- npm run bench: begin -->';
const BENCH_END = '<!-- npm run bench: end -->';

const read = (file) => readFileSync(new URL(file, root), 'utf8');

export function readFigures() {
  return existsSync(new URL(FIGURES_FILE, root)) ? JSON.parse(read(FIGURES_FILE)) : {};
}

/** JSON with an object of plain values (a row, a part's scalars) on one line, so that a diff shows rows. */
function stringify(value, indent = '') {
  const plain = (v) => v === null || typeof v !== 'object';
  if (plain(value)) return JSON.stringify(value);
  const entries = Object.entries(value);
  if (entries.every(([, v]) => plain(v))) return `{ ${entries.map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ')} }`;
  const inner = indent + '  ';
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${stringify(v, inner)}`).join(',\n')}\n${indent}}`;
}

/** Replaces one part of docs/figures.json, leaving the others as they are. */
export function writeFigures(part, value) {
  if (!(part in PARTS)) throw new Error(`docs/figures.json has no part '${part}'; its parts: ${Object.keys(PARTS).join(', ')}`);
  const figures = { ...readFigures(), [part]: value };
  const ordered = Object.fromEntries(Object.keys(PARTS).flatMap((name) => (name in figures ? [[name, figures[name]]] : [])));
  writeFileSync(new URL(FIGURES_FILE, root), stringify(ordered) + '\n');
}

/** The commit measured, and whether src/ or assembly/ differ from it. */
export function revision() {
  const git = (...args) => execFileSync('git', args, { encoding: 'utf8', cwd: root }).trim();
  try {
    const changed = git('status', '--porcelain', '--', 'src', 'assembly') !== '';
    return `commit ${git('rev-parse', '--short', 'HEAD')}${changed ? ' with uncommitted changes in src/ or assembly/' : ''}`;
  } catch {
    return 'not a git checkout';
  }
}

export const today = () => new Date().toISOString().slice(0, 10);

/** Bytes as kB with one decimal, as scripts/bundle-size.mjs prints them. */
export const kB = (bytes) => `${(bytes / 1000).toFixed(1)} kB`;
/** A time as the docs quote it: 3 digits (whole ms from 10 ms to 1 s, whole s from 100 s), halves rounded up. */
export function duration(ms) {
  const digits = (value, decimals) => (Math.round(value * 10 ** decimals) / 10 ** decimals).toFixed(decimals);
  if (ms < 9.995) return `${digits(ms, 2)} ms`;
  if (ms < 999.5) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  return s < 9.995 ? `${digits(s, 2)} s` : s < 99.95 ? `${digits(s, 1)} s` : `${Math.round(s)} s`;
}

/**
 * The part `bench` from the part of docs/benchmarks.md that `npm run bench` writes (or from that markdown alone):
 * the run (command, commit, day, machine), every row of its table (median and first call, ms, as the table
 * shows them) and of its peak-memory table (MB).
 */
export function benchFromMarkdown(markdown) {
  const from = markdown.indexOf(BENCH_BEGIN);
  const to = markdown.indexOf(BENCH_END);
  const section = from >= 0 && to > from ? markdown.slice(from, to) : markdown;
  const run = /^Command: `(.+)`, on (.+)\.$/m.exec(section);
  const machine = /^Machine: (.+), (\d{4}-\d{2}-\d{2});/m.exec(section);
  if (!run || !machine) throw new Error(`${BENCHMARKS_FILE}: the part of npm run bench has no "Command: …, on …." or "Machine: …, <day>;" line`);
  const rows = {};
  const peakMB = {};
  for (const line of section.split('\n')) {
    if (!line.startsWith('| ') || /^\|[-: |]+\|$/.test(line)) continue;
    const cells = line
      .slice(1, -1)
      .split('|')
      .map((cell) => cell.trim());
    if (cells.length === 9 && cells[0] !== 'case') {
      const [group, impl, first, median] = cells;
      rows[group] ??= {};
      rows[group][impl] = { median: Number(median), ...(first === '' ? {} : { first: Number(first) }) };
    } else if (cells.length === 2 && cells[0] !== 'workload') peakMB[cells[0]] = Number(cells[1]);
  }
  return { command: run[1], revision: run[2], date: machine[2], machine: machine[1], rows, peakMB };
}

/** A table's cell: the median time of one row of the benchmark table. */
const median = (group, impl) => `{bench.median ${group} / ${impl}}`;
const row = (...cells) => `|${cells.map((cell) => ` ${cell} `.replace(/^  $/, ' ')).join('|')}|`;

/** The tables generated whole, by name: markdown lines in which `{name}` is a figure. */
export const TABLES = {
  'bench-summary': [
    row('case', 'wasm', 'ts', 'JS reference'),
    '|---|---:|---:|---:|',
    ...[
      ['matmul n=1024', 'matmul n=1024', 'ml-matrix'],
      ['cholesky n=1024', 'cholesky n=1024', 'ml-matrix'],
      ['eigh n=512', 'eigh n=512', 'ml-matrix'],
      ['RBF Gram n=2000, d=64', 'rbf Gram n=2000 d=64', 'ml-kernel'],
      ['KernelRidge fit+predict n=2000, d=64', 'KernelRidge fit+predict n=2000 d=64', 'ml-kernel + ml-matrix'],
    ].map(([label, group, reference]) => row(label, median(group, 'wasm'), median(group, 'ts'), `${reference} ${median(group, reference)}`)),
    row(
      'empirical NTK n=1000, [512, 512], structured',
      median('empiricalNtk n=1000 [512,512] k=1', 'wasm structured'),
      median('empiricalNtk n=1000 [512,512] k=1', 'ts structured'),
      `(Jacobian contraction in wasm: ${median('empiricalNtk n=1000 [512,512] k=1', 'wasm jacobian')})`,
    ),
    ...[
      ['`train`, 100 steps, n=1000, [512, 512]', 'MLP.train n=1000 [512,512], 100 steps'],
      ['analytic NTK+NNGP, depth-3 ReLU, n=2000', 'infiniteMlp relu depth 3 n=2000 d=64'],
      ['analytic NTK+NNGP, depth-3 tanh, n=500', 'infiniteMlp tanh depth 3 n=500 d=64'],
    ].map(([label, group]) => row(label, median(group, 'wasm'), median(group, 'ts'), '')),
  ],
  'bench-convolutional': [
    row('case', 'wasm', 'ts', 'wasm peak RSS'),
    '|---|---:|---:|---:|',
    ...[
      ['CNTK (NNGP + NTK), globalAvgPool, 8×8, n=200', 'CNTK globalAvgPool 8x8 n=200'],
      ['CNTK, flatten, 8×8, n=500', 'CNTK flatten 8x8 n=500'],
    ].map(([label, group]) => row(label, median(group, 'wasm'), median(group, 'ts'), `{bench.peak ${group}}`)),
    row(
      'CNTK, flatten, 28×28, n=1000',
      median('CNTK flatten 28x28 n=1000', 'wasm'),
      `(n=200: ${median('CNTK flatten 28x28 n=200', 'ts')}; wasm ${median('CNTK flatten 28x28 n=200', 'wasm')})`,
      '{bench.peak CNTK flatten 28x28 n=1000}',
    ),
    row(
      'structured empirical NTK, 64 channels, 8×8, n=200',
      median('empiricalNtk CNN 64 channels 8x8 n=200', 'wasm'),
      median('empiricalNtk CNN 64 channels 8x8 n=200', 'ts'),
      '{bench.peak empiricalNtk CNN 64 channels 8x8 n=200}',
    ),
  ],
  'bench-threads': [
    row('case', 'standard, 1 thread', 'relaxed, 1 thread', 'standard, 2 threads', 'relaxed, 2 threads'),
    '|---|---:|---:|---:|---:|',
    ...[
      ['matmul n=1024', 'threads: matmul n=1024'],
      ['RBF Gram n=2000, d=64', 'threads: RBF Gram n=2000 d=64'],
      ['structured NTK n=1000, [512, 512]', 'threads: structured NTK n=1000 [512,512]'],
      ['analytic ReLU NTK, depth 3, n=2000', 'threads: analytic relu NTK depth 3 n=2000'],
    ].map(([label, group]) => row(label, ...['standard 1t', 'relaxed 1t', 'standard 2t', 'relaxed 2t'].map((build) => median(group, `wasm ${build}`)))),
  ],
};

/** What a missing figure asks for. */
const missing = (part, what) => new Error(`docs/figures.json has no ${what}: run ${PARTS[part]}`);

/** One figure, as the docs show it. */
export function figure(figures, name) {
  const part = name.split(/[. ]/)[0];
  if (!(part in PARTS)) throw new Error(`unknown figure '${name}': a figure's name starts with ${Object.keys(PARTS).join(', ')}`);
  const data = figures[part];
  if (data === undefined) throw missing(part, `part '${part}'`);
  const number = (value, what) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw missing(part, what);
    return value;
  };
  let match;
  if (name === `${part}.run`) return `${data.revision}, ${data.date}`;
  if (name === 'bench.machine') return data.machine;
  if ((match = /^bundle\.((?:code|build|page)(?:Raw|Gzip)|worker(?:Page|Source|OneFile)Gzip)$/.exec(name))) return kB(number(data[match[1]], name));
  if (name === 'pack.files') return `${number(data.files, name)} files`;
  if ((match = /^pack\.(size|unpackedSize)$/.exec(name))) return kB(number(data[match[1]], name));
  if ((match = /^bench\.(median|first) (.+) \/ (.+)$/.exec(name)))
    return duration(number(data.rows[match[2]]?.[match[3]]?.[match[1]], `${match[1]} time of '${match[2]}' on '${match[3]}'`));
  if ((match = /^bench\.peak (.+)$/.exec(name))) return `${number(data.peakMB[match[1]], `peak memory of '${match[1]}'`)} MB`;
  throw new Error(`unknown figure '${name}' (the names are listed at the top of scripts/figures.mjs)`);
}

/** A generated table's lines. */
export function table(figures, name) {
  const lines = TABLES[name];
  if (!lines) throw new Error(`unknown table '${name}': the tables are ${Object.keys(TABLES).join(', ')} (scripts/figures.mjs)`);
  return lines.map((line) => line.replace(/\{([^{}]+)\}/g, (_, figureName) => figure(figures, figureName))).join('\n');
}

const INLINE = /<!-- figure: (.+?) -->(.*?)<!-- \/figure -->/g;
const TABLE = /(<!-- table: ([\w-]+) -->\n)([\s\S]*?)\n?(<!-- \/table -->)/g;

/**
 * Where a document shows other figures than docs/figures.json: one entry per figure or table, with its line, what
 * the document shows and what the file gives. Empty when they agree.
 */
export function differences(text, figures) {
  const lineOf = (index) => text.slice(0, index).split('\n').length;
  const found = [];
  for (const match of text.matchAll(TABLE)) {
    const shown = match[3].split('\n');
    const expected = table(figures, match[2]).split('\n');
    const at = expected.findIndex((line, i) => shown[i] !== line);
    if (at >= 0 || shown.length !== expected.length) {
      const i = at >= 0 ? at : expected.length;
      found.push({ line: lineOf(match.index) + 1 + i, name: `table ${match[2]}`, shown: shown[i] ?? '(no line)', expected: expected[i] ?? '(no line)' });
    }
  }
  for (const match of text.matchAll(INLINE)) {
    const expected = figure(figures, match[1]);
    if (match[2] !== expected) found.push({ line: lineOf(match.index), name: match[1], shown: match[2], expected });
  }
  return found.sort((a, b) => a.line - b.line);
}

/** The document with every figure and table between its markers as docs/figures.json gives it. */
export function render(text, figures) {
  return text
    .replace(TABLE, (_, open, name, _shown, close) => `${open}${table(figures, name)}\n${close}`)
    .replace(INLINE, (_, name) => `<!-- figure: ${name} -->${figure(figures, name)}<!-- /figure -->`);
}

/** The document without what stands between figure and table markers. */
export const withoutFigures = (text) => text.replace(TABLE, (_, open, _name, shown, close) => open + shown.replace(/[^\n]/g, ' ') + close).replace(INLINE, '');

/** Rewrites the figures of README.md and docs/guide.md from docs/figures.json; returns the documents it changed. */
export function updateDocuments() {
  const figures = readFigures();
  const changed = [];
  for (const file of DOCUMENTS) {
    const text = read(file);
    const updated = render(text, figures);
    if (updated === text) continue;
    writeFileSync(new URL(file, root), updated);
    changed.push(file);
  }
  return changed;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { check: { type: 'boolean', default: false }, 'from-benchmarks': { type: 'boolean', default: false } },
    strict: true,
  });
  if (values['from-benchmarks']) {
    const bench = benchFromMarkdown(read(BENCHMARKS_FILE));
    writeFigures('bench', bench);
    console.log(`docs/figures.json: part bench from ${BENCHMARKS_FILE} (${bench.command}, on ${bench.revision}, ${bench.date})`);
  }
  if (values.check) {
    const figures = readFigures();
    const found = DOCUMENTS.flatMap((file) =>
      differences(read(file), figures).map((d) => `${file}:${d.line}: ${d.name} shows ${d.shown}, docs/figures.json gives ${d.expected}`),
    );
    if (found.length > 0) {
      console.error(`${found.join('\n')}\n${found.length} figure(s) differ from docs/figures.json: npm run docs:figures rewrites them`);
      process.exit(1);
    }
    console.log(`${DOCUMENTS.join(' and ')} show the figures of docs/figures.json`);
  } else {
    const changed = updateDocuments();
    console.log(
      changed.length === 0 ? `${DOCUMENTS.join(' and ')} already show the figures of docs/figures.json` : `rewrote the figures of ${changed.join(' and ')}`,
    );
  }
}
