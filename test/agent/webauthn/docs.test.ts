// docs/webauthn.md's example is test/agent/webauthn/example.ts verbatim, and running it prints
// what the document says it prints.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

const root = new URL('../../../../', import.meta.url);
const doc = readFileSync(new URL('docs/webauthn.md', root), 'utf8');

function block(after: string, lang: string): string {
  const start = doc.indexOf(after);
  assert.ok(start >= 0, `docs/webauthn.md has no "${after}"`);
  const open = doc.indexOf('```' + lang + '\n', start);
  const close = doc.indexOf('\n```', open + 4 + lang.length);
  return doc.slice(open + 4 + lang.length, close + 1);
}

describe('docs/webauthn.md', () => {
  it('shows test/agent/webauthn/example.ts verbatim', () => {
    const example = readFileSync(new URL('test/agent/webauthn/example.ts', root), 'utf8');
    assert.equal(block('<!-- example: test/agent/webauthn/example.ts -->', 'ts'), example);
  });

  it('prints what the document says the example prints', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [new URL('dist/test/agent/webauthn/example.js', root).pathname], { timeout: 20_000 });
    assert.equal(stdout, block('It prints:', 'text'));
  });
});
