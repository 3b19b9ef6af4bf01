// docs/doctor.md documents every finding id the IdP probes can report, each with the fix the
// doctor prints; the README's doctor run is what the command prints against fedkit demo's IdP.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Io } from '../../src/cli/command.js';
import { run } from '../../src/cli/run.js';
import { CLIENT_ID, DEMO_USER, RP_ORIGIN, startSystem } from '../../src/cli/system.js';
import { fixFor, IDP_FINDING_IDS } from '../../src/doctor/fixes.js';
import { RP_FIXES } from '../../src/doctor/rp/findings.js';

const root = new URL('../../../', import.meta.url);
const doc = readFileSync(new URL('docs/doctor.md', root), 'utf8');
const readme = readFileSync(new URL('README.md', root), 'utf8');

describe('docs/doctor.md', () => {
  for (const id of IDP_FINDING_IDS) {
    it(`documents ${id} with its fix`, () => {
      const row = doc.split('\n').find((l) => l.startsWith(`| \`${id}\` |`));
      assert.ok(row, `no row for ${id}`);
      assert.ok(row.endsWith(`| ${fixFor(id).replace(/\|/g, '\\|')} |`), `the row of ${id} does not end with its fix:\n${row}`);
    });
  }

  for (const id of Object.keys(RP_FIXES)) {
    it(`documents the RP page's ${id}`, () => {
      assert.ok(doc.includes(`\n#### \`${id}\``), `no entry for ${id} in the RP page's findings`);
    });
  }

  it('the README shows what fedkit doctor prints for fedkit demo\'s IdP', async () => {
    const at = readme.indexOf('<!-- doctor: fedkit demo -->');
    assert.ok(at >= 0);
    const open = readme.indexOf('```text\n', at) + '```text\n'.length;
    const shown = readme.slice(open, readme.indexOf('```\n', open));
    const dir = mkdtempSync(join(tmpdir(), 'fedkit-doctor-readme-'));
    const system = await startSystem({ dir: join(dir, 'demo') });
    try {
      let out = '';
      const io: Io = { stdout: (t) => (out += t), stderr: () => {}, readSecret: () => Promise.resolve(DEMO_USER.password), stopped: Promise.resolve(), isTTY: false };
      const code = await run(['doctor', system.configURL, '--client-id', CLIENT_ID, '--rp-origin', RP_ORIGIN, '--user', DEMO_USER.email, '--host-rules', `MAP *.example:443 127.0.0.1:${system.port}`, '--ca', system.caFile], io);
      assert.equal(code, 0);
      assert.equal(out, shown);
    } finally {
      await system.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
