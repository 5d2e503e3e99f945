// One gradient step on an error at x = 10 moves a lookup table at x = 10 only, but moves a
// linear model everywhere; the NTK row K(·, 10) says by how much (a delta vs x·10 + 1).
import { MLP, customKernel, empiricalNtk } from 'ntk-wasm';
import { savePlot } from './output.js';

const xs = Array.from({ length: 31 }, (_, i) => i - 10);
const column = xs.map((x) => [x]);
const target = 50;
// The seed's loss (f(10) − 50)² with learning rate 0.1 is the library's (f − y)²/2 with rate 0.2.
const learningRate = 0.2;

// Lookup table: one parameter per integer, f(x) = θ_x, initialized to 3x + 2. Its Jacobian is the identity.
const table = xs.map((x) => 3 * x + 2);
const before = table.slice();
const at10 = xs.indexOf(10);
table[at10] -= learningRate * (table[at10] - target);
const tableNtk = customKernel((a, b) => (a[0] === b[0] ? 1 : 0))(column, [[10]]);

// Linear model f(x) = w1·x + w2 with w1 = 3, w2 = 2: the same function, two shared parameters.
const linear = MLP.fromWeights([{ W: [[3]], b: [2] }], { activation: 'identity', parameterization: 'standard' });
const linearBefore = linear.apply(column);
const linearNtk = empiricalNtk(linear, column, [[10]]);
linear.train([[10]], [target], { learningRate, steps: 1 });
const linearAfter = linear.apply(column);

console.log(`lookup table: f(10) ${before[at10]} → ${table[at10]}, f(0) ${before[10]} → ${table[10]} (unchanged)`);
console.log(`linear model: f(10) ${linearBefore.get(at10, 0)} → ${linearAfter.get(at10, 0).toFixed(1)}, ` +
  `f(0) ${linearBefore.get(10, 0)} → ${linearAfter.get(10, 0).toFixed(1)}; w = [${Array.from(linear.params).join(', ')}]`);
console.log(`NTK row K(x, 10): lookup ${Array.from(tableNtk.data).filter((v) => v !== 0).length} nonzero entry; ` +
  `linear K(0, 10) = ${linearNtk.get(10, 0)}, K(20, 10) = ${linearNtk.get(30, 0)} (x·10 + 1)`);

// Each model on its own axes: the table's change (3.6 at one point) would vanish beside the line's (up to 723).
// The table is drawn as points, one per entry, over the dashed line it started on.
await savePlot('lookup-vs-linear', {
  title: `Lookup table: a step on (f(10) − 50)² moves f(10) only, ${before[at10]} → ${table[at10]}`,
  xLabel: 'x', yLabel: 'f(x)',
  series: [
    { label: 'before: 3x + 2', x: xs, y: before, style: 'dashed', color: '#888' },
    { label: 'lookup table after (one entry per integer)', x: xs, y: table, style: 'points', color: '#d62728' },
    { label: 'observation (10, 50)', x: [10], y: [target], style: 'points', color: '#000' },
  ],
});
const linearStep = `w = [3, 2] → [${Array.from(linear.params).join(', ')}]`;
await savePlot('lookup-vs-linear-linear', {
  title: `Linear model: the same step moves f everywhere, ${linearStep}`,
  xLabel: 'x', yLabel: 'f(x)',
  series: [
    { label: 'before: 3x + 2', x: xs, y: linearBefore.data, style: 'dashed', color: '#888' },
    { label: 'linear model after', x: xs, y: linearAfter.data, color: '#2ca02c' },
    { label: 'observation (10, 50)', x: [10], y: [target], style: 'points', color: '#000' },
  ],
});
// The change a step makes is −η·K(x, 10)·(f(10) − 50), so K(x, 10) / K(10, 10) is its shape, 1 at x = 10 for both.
const kAt10 = (k: { data: Float64Array }) => k.data[at10];
await savePlot('lookup-vs-linear-ntk', {
  title: 'NTK row K(x, 10) / K(10, 10): the shape of the change a step makes',
  xLabel: 'x', yLabel: 'K(x, 10) / K(10, 10)',
  series: [
    { label: `linear model: (10x + 1) / ${kAt10(linearNtk)}`, x: xs, y: linearNtk.data.map((v) => v / kAt10(linearNtk)), color: '#2ca02c' },
    { label: `lookup table: delta at 10 (K(10, 10) = ${kAt10(tableNtk)})`, x: xs, y: tableNtk.data.map((v) => v / kAt10(tableNtk)), markers: true, color: '#d62728' },
  ],
});
