// The README's WebAuthn example is examples/credman-webauthn.ts, and it runs: the code block must
// equal the file, and running it must print what the README says it prints (the pattern of
// test/agent/credman/readme.test.ts).

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

const root = new URL('../../../../', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');

/** The fenced block of language `lang` that follows `marker`. */
function block(marker: string, lang: string): string {
  const start = readme.indexOf(marker);
  assert.ok(start >= 0, `README has no "${marker}"`);
  const open = readme.indexOf('```' + lang + '\n', start);
  const close = readme.indexOf('\n```', open + 4 + lang.length);
  return readme.slice(open + 4 + lang.length, close + 1);
}

describe('README: WebAuthn (passkeys)', () => {
  it('shows examples/credman-webauthn.ts verbatim and prints what it says', async () => {
    const example = readFileSync(new URL('examples/credman-webauthn.ts', root), 'utf8');
    assert.equal(block('<!-- example: examples/credman-webauthn.ts -->', 'ts'), example);
    const { stdout } = await promisify(execFile)(process.execPath, [new URL('dist/examples/credman-webauthn.js', root).pathname], { timeout: 30_000 });
    assert.equal(stdout, block('<!-- prints: examples/credman-webauthn.ts -->', 'text'));
  });
});
