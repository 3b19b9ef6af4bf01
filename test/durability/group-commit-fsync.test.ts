// Group commit (src/idp/store/sqlite-batch.ts) measured where it matters, at the disk: with
// synchronous=full SQLite syncs the WAL at every COMMIT, so N assertion steps awaited one after
// the other cost N fdatasync calls, and N steps asked at once (one event-loop turn, one batch)
// must cost fewer: ceil(N / 64), the batch cap. The child (./group-commit-child.ts) runs under
// strace and marks its phases on stdout; the trace is read phase by phase.
// Needs strace (npm test's pretest installs it); without it, or where ptrace is not allowed, the
// test is skipped with a loud message (and fails when CI is set), as ./fsync.test.ts does.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { CI, straceProblem } from './harness.js';

const CHILD = fileURLToPath(new URL('./group-commit-child.js', import.meta.url));
const N = 40;

describe('durability: group commit syncs the WAL once per batch (strace)', { timeout: 120_000 }, () => {
  it(`with synchronous=full, ${N} concurrent assertion steps cause fewer WAL syncs than ${N} sequential ones`, (t) => {
    const problem = straceProblem();
    if (problem !== undefined) {
      if (CI) assert.fail(`${problem}, and CI is set: this measurement must run in CI`);
      console.error(`\n*** SKIPPED: ${problem}. The group-commit fsync count did not run. ***\n`);
      t.skip(problem);
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'fedkit-group-fsync-'));
    try {
      const log = join(dir, 'trace');
      const run = spawnSync('strace', ['-f', '-o', log, '-y', '-s', '200', '-e', 'trace=write,fsync,fdatasync', process.execPath, CHILD, join(dir, 'idp.db'), String(N)], {
        encoding: 'utf8',
        timeout: 90_000,
      });
      assert.equal(run.status, 0, `the child failed (${run.error?.message ?? `status ${run.status}`}): ${run.stderr}`);
      const outcomes = /outcomes (.*)/.exec(run.stdout)?.[1];
      assert.ok(outcomes !== undefined, `no outcomes line in the child's output: ${run.stdout}`);
      assert.deepEqual(JSON.parse(outcomes), { sequential: Array(N).fill('completed'), concurrent: Array(N).fill('completed') });

      const syncs: Record<string, number> = {};
      let phase: string | undefined;
      for (const line of readFileSync(log, 'utf8').split('\n')) {
        const marker = /write\(1(?:<[^>]*>)?, "phase (\w+) (begin|end)\\n"/.exec(line);
        if (marker !== null) {
          phase = marker[2] === 'begin' ? marker[1] : undefined;
          if (phase !== undefined) syncs[phase] = 0;
          continue;
        }
        if (phase !== undefined && /f(?:data)?sync\(\d+<[^>]*-wal>/.test(line)) syncs[phase]!++;
      }
      t.diagnostic(`WAL syncs: ${N} sequential steps ${syncs.sequential}, ${N} concurrent steps ${syncs.concurrent}`);
      // The sequential phase shows the count is real: one sync per commit.
      assert.equal(syncs.sequential, N, `${N} sequential steps with synchronous=full should sync the WAL ${N} times`);
      assert.ok(syncs.concurrent !== undefined && syncs.concurrent >= 1, 'the concurrent steps were never synced');
      assert.ok(syncs.concurrent <= Math.ceil(N / 64), `${N} concurrent steps synced the WAL ${syncs.concurrent} times: they did not share a commit`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
