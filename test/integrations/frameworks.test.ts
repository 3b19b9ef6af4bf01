// The fedkit/jsdom recipes of docs/testing.md, run by the frameworks themselves: Vitest
// (test/integrations/vitest) and Jest in its ESM mode (test/integrations/jest), each as a child
// process with a time limit, their output shown when they fail. Each signs in with the sign-in
// component against fedkit/testing's IdP, through the built package (dist/).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'fedkit-frameworks-'));
after(() => rmSync(out, { recursive: true, force: true }));

const LIMIT_MS = 120_000;

interface Run {
  code: number | null;
  output: string;
  ms: number;
}

/** Runs node with `args` in the repository, killing its process group after LIMIT_MS. */
function runNode(args: string[]): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: '1', FORCE_COLOR: '0', NO_COLOR: '1' };
  delete env['NODE_TEST_CONTEXT']; // node:test's marker; the frameworks' own node processes are not its children
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }, LIMIT_MS);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const ms = Date.now() - started;
      if (timedOut) reject(new Error(`node ${args.join(' ')} did not finish within ${LIMIT_MS} ms; its output:\n${output}`));
      else resolve({ code, output, ms });
    });
  });
}

/** The JSON report a framework wrote, or a failure that shows the run's output. */
function report<T>(file: string, run: Run): T {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (e) {
    assert.fail(`no JSON report at ${file} (${String(e)}); exit code ${run.code}; output:\n${run.output}`);
  }
}

interface Counts {
  numTotalTests: number;
  numPassedTests: number;
  numFailedTests: number;
}

describe('fedkit/jsdom in the test frameworks', { timeout: LIMIT_MS + 30_000 }, () => {
  it('docs/testing.md shows the recipes as they are in the repository', () => {
    const doc = readFileSync(join(root, 'docs/testing.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## Vitest and Jest: `fedkit/jsdom`'), doc.indexOf('## The IdP and RP a test needs'));
    const shown = [...section.matchAll(/<!-- file: (\S+) -->\n```\w+\n([\s\S]*?)```\n/g)];
    assert.deepEqual(
      shown.map((m) => m[1]),
      [
        'test/integrations/vitest/vitest.config.ts',
        'test/integrations/vitest/global-setup.ts',
        'test/integrations/vitest/fedcm.setup.ts',
        'test/integrations/vitest/sign-in.spec.ts',
        'test/integrations/jest/jest.config.mjs',
        'test/integrations/jest/global-setup.mjs',
        'test/integrations/jest/global-teardown.mjs',
        'test/integrations/jest/fedcm.setup.mjs',
      ],
    );
    for (const [, file, text] of shown) assert.equal(text, readFileSync(join(root, file!), 'utf8'), `docs/testing.md shows ${file} as it is`);
  });

  it('Vitest (jsdom environment): the sign-in component passes its 3 tests', { timeout: LIMIT_MS + 10_000 }, async () => {
    const json = join(out, 'vitest.json');
    const run = await runNode(['node_modules/vitest/vitest.mjs', 'run', '--config', 'test/integrations/vitest/vitest.config.ts', '--reporter=default', '--reporter=json', `--outputFile.json=${json}`]);
    const counts = report<Counts>(json, run);
    assert.equal(run.code, 0, `vitest exited with ${run.code}:\n${run.output}`);
    assert.deepEqual([counts.numTotalTests, counts.numPassedTests, counts.numFailedTests], [3, 3, 0], run.output);
    console.log(`vitest: ${counts.numPassedTests} passed in ${run.ms} ms`);
  });

  it('Jest (ESM mode, jest-environment-jsdom): the sign-in component passes its 3 tests', { timeout: LIMIT_MS + 10_000 }, async () => {
    const json = join(out, 'jest.json');
    const run = await runNode(['--experimental-vm-modules', 'node_modules/jest/bin/jest.js', '--config', 'test/integrations/jest/jest.config.mjs', '--ci', '--json', `--outputFile=${json}`]);
    const counts = report<Counts & { success: boolean }>(json, run);
    assert.equal(run.code, 0, `jest exited with ${run.code}:\n${run.output}`);
    assert.deepEqual([counts.numTotalTests, counts.numPassedTests, counts.numFailedTests, counts.success], [3, 3, 0, true], run.output);
    console.log(`jest: ${counts.numPassedTests} passed in ${run.ms} ms`);
  });
});
