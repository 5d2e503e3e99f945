// The measured figures of README.md and docs/guide.md are those of docs/figures.json (scripts/figures.mjs writes them
// between markers), the file's part `bench` is the table of docs/benchmarks.md of the same run, and no time or
// package size is typed into the docs by hand. Reads files only: it measures nothing.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DOCUMENTS, PARTS, benchFromMarkdown, differences, readFigures, withoutFigures } from '../../scripts/figures.mjs';

const read = (file: string) => readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
const figures = readFigures();
const FIX = 'run `npm run docs:figures` to rewrite them from docs/figures.json (after the command that measures, when the file is older)';

/**
 * Times and package sizes typed by hand that the check below lets stand, each with why: the limit of a test, and
 * the sizes in the guide's section on workers in bundlers, which scripts/bundle-size.mjs does not measure yet.
 */
const NOT_FROM_FIGURES: Record<string, string[]> = {
  'README.md': [],
  'docs/guide.md': [
    'keeps that bundle under 97 kB gzipped', // the limit of test/package/package.slow.test.ts
  ],
};
/** A time (ms, s) or a package size (kB) with its number. */
const MEASURED = /\d[\d,.]*(?:–\d[\d,.]*)? ?(?:ms|s|kB)\b/g;

describe('measured figures in the docs', () => {
  it('docs/figures.json has every part, each with the commit and day measured', () => {
    for (const [part, command] of Object.entries(PARTS)) {
      const data = figures[part as keyof typeof figures];
      expect(data, `docs/figures.json has no part '${part}': run ${command}`).toBeDefined();
      expect(data!.revision, part).toMatch(/^commit [0-9a-f]{7,}/);
      expect(data!.date, part).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });

  it.each(DOCUMENTS)('%s shows the figures of docs/figures.json', (file) => {
    const found = differences(read(file), figures).map(
      ({ line, name, shown, expected }) => `${file}:${line}: ${name} shows "${shown}", docs/figures.json gives "${expected}"`,
    );
    expect(found, `${found.join('\n')}\n${FIX}`).toEqual([]);
  });

  it.each(DOCUMENTS)('%s types no time or package size by hand: each is a figure between markers', (file) => {
    const allowed = NOT_FROM_FIGURES[file];
    const found = withoutFigures(read(file))
      .split('\n')
      .flatMap((line, i) =>
        [...line.matchAll(MEASURED)]
          .filter(() => !allowed.some((text) => line.includes(text)))
          .map((match) => `${file}:${i + 1}: ${match[0]} in "${line.trim()}"`),
      );
    expect(
      found,
      `${found.join('\n')}\nA measured figure comes from docs/figures.json: write it as <!-- figure: name --><!-- /figure --> ` +
        '(the names are listed in scripts/figures.mjs) and run npm run docs:figures',
    ).toEqual([]);
  });

  it('the part bench is the table of docs/benchmarks.md, of the same run', () => {
    const table = benchFromMarkdown(read('docs/benchmarks.md'));
    const bench = figures.bench!;
    const run = (b: typeof table) => `${b.command}, on ${b.revision}, ${b.date}, ${b.machine}`;
    expect(run(bench), 'the run of docs/figures.json and of docs/benchmarks.md: npm run bench writes both').toBe(run(table));
    const found: string[] = [];
    for (const [group, impls] of Object.entries(bench.rows))
      for (const [impl, times] of Object.entries(impls))
        for (const [field, ms] of Object.entries(times))
          if (table.rows[group]?.[impl]?.[field as 'median' | 'first'] !== ms)
            found.push(
              `${group} / ${impl}: ${field} ${ms} ms in docs/figures.json, ${table.rows[group]?.[impl]?.[field as 'median' | 'first']} in docs/benchmarks.md`,
            );
    for (const [workload, mb] of Object.entries(bench.peakMB))
      if (table.peakMB[workload] !== mb) found.push(`peak ${workload}: ${mb} MB in docs/figures.json, ${table.peakMB[workload]} in docs/benchmarks.md`);
    expect(found, found.join('\n')).toEqual([]);
    expect(Object.keys(bench.rows).length, 'rows of the bench part').toBeGreaterThan(20);
  });
});
