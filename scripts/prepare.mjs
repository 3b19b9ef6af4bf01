// npm's `prepare`: builds dist/ with tsc, unless it is already up to date with every source.
//
// `npm install` in a clone runs prepare, and so does the first `npx fedkit` there: npm exec finds
// the project's own bin and installs the project into its npx cache, which runs prepare again. A
// whole tsc build (10 s on a quiet machine, ~45 s on a busy one) for a dist/ that was built a
// moment ago is what made the first `npx fedkit` slow; this check costs a few milliseconds.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const STAMP = 'dist/.build-stamp';
/** What tsconfig.json compiles, and what changes the build. */
const SOURCES = ['src', 'test', 'examples', 'bench'];
const FILES = ['tsconfig.json', 'package.json'];

function newest(path) {
  if (!existsSync(path)) return 0;
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let max = s.mtimeMs; // a deleted file changes its directory's mtime
  for (const name of readdirSync(path)) max = Math.max(max, newest(join(path, name)));
  return max;
}

const built = existsSync(STAMP) ? statSync(STAMP).mtimeMs : 0;
const changed = Math.max(...SOURCES.map(newest), ...FILES.map(newest));
if (built > changed) {
  console.log(`fedkit: dist/ is up to date (${STAMP}); not rebuilding`);
  process.exit(0);
}
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { stdio: 'inherit' });
if (result.status !== 0) process.exit(result.status ?? 1);
writeFileSync(STAMP, `${new Date().toISOString()}\n`);
