// The README's example is a file in the repository, and it runs: the code block must equal
// examples/agent-signin.ts, and running it must print what the README says it prints.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { VERSION } from '../../src/version.js';

const root = new URL('../../../', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');

function block(after: string, lang: string): string {
  const start = readme.indexOf(after);
  assert.ok(start >= 0, `README has no "${after}"`);
  const open = readme.indexOf('```' + lang + '\n', start);
  const close = readme.indexOf('\n```', open + 4 + lang.length);
  return readme.slice(open + 4 + lang.length, close + 1);
}

describe('README', () => {
  it('shows examples/agent-signin.ts verbatim', () => {
    const example = readFileSync(new URL('examples/agent-signin.ts', root), 'utf8');
    assert.equal(block('<!-- example: examples/agent-signin.ts -->', 'ts'), example);
  });

  it('prints what the README says the example prints', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [new URL('dist/examples/agent-signin.js', root).pathname], { timeout: 20_000 });
    assert.equal(stdout, block('<!-- prints: examples/agent-signin.ts -->', 'text'));
  });

  it('shows examples/returning-user.ts verbatim, and two runs on one profile behave as it says', async () => {
    const example = readFileSync(new URL('examples/returning-user.ts', root), 'utf8');
    assert.equal(block('<!-- example: examples/returning-user.ts -->', 'ts'), example);
    const dir = mkdtempSync(join(tmpdir(), 'fedkit-readme-'));
    try {
      const profile = join(dir, 'profile.db');
      const script = new URL('dist/examples/returning-user.js', root).pathname;
      const runOnce = async () => (await promisify(execFile)(process.execPath, [script, profile], { timeout: 20_000 })).stdout;
      const transcript = `$ node dist/examples/returning-user.js profile.db\n${await runOnce()}$ node dist/examples/returning-user.js profile.db\n${await runOnce()}`;
      assert.equal(transcript, block('<!-- example: examples/returning-user.ts -->', 'sh').replace(/^[\s\S]*?\$ node/, '$ node'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const chromiumMissing = !existsSync('/usr/bin/chromium') && !(process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false');
  it('shows examples/playwright-signin.ts verbatim and it prints what it says, in Chromium', { skip: chromiumMissing ? '/usr/bin/chromium is not installed' : false, timeout: 60_000 }, async () => {
    const example = readFileSync(new URL('examples/playwright-signin.ts', root), 'utf8');
    assert.equal(block('<!-- example: examples/playwright-signin.ts -->', 'ts'), example);
    const { stdout } = await promisify(execFile)(process.execPath, [new URL('dist/examples/playwright-signin.js', root).pathname], { timeout: 45_000 });
    assert.equal(stdout, block('<!-- prints: examples/playwright-signin.ts -->', 'text'));
  });

  it('starts with the set-up commands: npm install, then npm test or npx fedkit demo', () => {
    assert.equal(block('## Set up', 'sh'), 'npm install\nnpm test\nnpx fedkit demo\n');
  });

  it('VERSION matches package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { version: string };
    assert.equal(VERSION, pkg.version);
  });
});
