// The static checks of `npm test` at once: the typecheck, the linter, the format check and the API docs (typedoc,
// which fails on any warning; each also runs alone: npm run typecheck, lint, format:check, docs:check). At once the
// first three took 21 s here against 26 s one after the other. Prints each one's output when it ends; fails if any
// failed.
import { spawn } from 'node:child_process';

const CHECKS = ['typecheck', 'lint', 'format:check', 'docs:check'];

const run = (script) =>
  new Promise((resolve) => {
    const started = performance.now();
    const child = spawn('npm', ['run', '-s', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('close', (code) => {
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      process.stdout.write(`${code === 0 ? 'ok' : 'FAILED'}: npm run ${script} (${seconds} s)\n${output}`);
      resolve(code === 0);
    });
  });

const results = await Promise.all(CHECKS.map(run));
process.exit(results.every(Boolean) ? 0 : 1);
