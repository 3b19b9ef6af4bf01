// docs/benchmarks.md is generated: written by bench/run.ts from the run recorded next to it
// (docs/benchmarks.json). Writing it again from that record must give the committed file byte
// for byte, so that neither a hand edit of the report nor a change of run.ts's text that was not
// written out (`node dist/bench/run.js --from docs/benchmarks.json`) goes unnoticed.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);

describe('docs/benchmarks.md', () => {
  it('is what bench/run.ts writes from docs/benchmarks.json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fedkit-report-'));
    try {
      const out = join(dir, 'benchmarks.md');
      await run(process.execPath, ['dist/bench/run.js', '--from', 'docs/benchmarks.json', '--out', out], { timeout: 30_000 });
      const committed = readFileSync('docs/benchmarks.md', 'utf8');
      const written = readFileSync(out, 'utf8');
      if (written !== committed) {
        const a = committed.split('\n');
        const b = written.split('\n');
        const line = a.findIndex((l, i) => l !== b[i]);
        assert.fail(`docs/benchmarks.md differs from what bench/run.ts writes from docs/benchmarks.json, first at line ${line + 1}:\n  committed: ${a[line]}\n  written:   ${b[line]}\nWrite it again: node dist/bench/run.js --from docs/benchmarks.json`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
