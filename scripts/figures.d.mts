// The types of scripts/figures.mjs, for bench/run.ts and test/docs/figures.test.ts.

/** A row of the table of `npm run bench`: ms, as docs/benchmarks.md shows them. */
export interface BenchTimes {
  median: number;
  first?: number;
}

export interface BenchFigures {
  command: string;
  revision: string;
  date: string;
  machine: string;
  /** By case (group), then implementation. */
  rows: Record<string, Record<string, BenchTimes>>;
  peakMB: Record<string, number>;
}

export interface BundleFigures {
  date: string;
  revision: string;
  codeRaw: number;
  codeGzip: number;
  buildRaw: number;
  buildGzip: number;
  pageRaw: number;
  pageGzip: number;
  buildChunks: number;
}

export interface PackFigures {
  date: string;
  revision: string;
  files: number;
  size: number;
  unpackedSize: number;
}

export interface Figures {
  bundle?: BundleFigures;
  pack?: PackFigures;
  bench?: BenchFigures;
}

export interface Difference {
  line: number;
  name: string;
  shown: string;
  expected: string;
}

export const DOCUMENTS: string[];
export const PARTS: Record<keyof Figures, string>;
export const TABLES: Record<string, string[]>;
export function readFigures(): Figures;
export function writeFigures<Part extends keyof Figures>(part: Part, value: NonNullable<Figures[Part]>): void;
export function revision(): string;
export function today(): string;
export function kB(bytes: number): string;
export function duration(ms: number): string;
export function benchFromMarkdown(markdown: string): BenchFigures;
export function figure(figures: Figures, name: string): string;
export function table(figures: Figures, name: string): string;
export function differences(text: string, figures: Figures): Difference[];
export function render(text: string, figures: Figures): string;
export function withoutFigures(text: string): string;
export function updateDocuments(): string[];
