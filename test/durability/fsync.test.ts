// What survives a power loss depends on what reached the disk before a write was acknowledged,
// which a kill -9 cannot show (the OS still has the pages). This measures it: the writer
// (./writer.ts) runs under strace, and for every write the trace shows whether the WAL was
// fdatasync'd between the write's `b` line and its `a` line (the acknowledgement):
//   - synchronous=full (the profile's default, the IdP store's option): every acknowledged write that
//     wrote to the WAL was synced first, so it survives an OS crash or a power loss (given a disk
//     that keeps what it reported synced). A write that changes nothing (a login status set to
//     the value it has) writes no WAL frame: SQLite leaves identical content alone, and what is
//     there was synced by the write that put it there;
//   - synchronous=normal: no write is synced before its acknowledgement (the WAL is synced at
//     checkpoints only), except the profile's WebAuthn writes, which raise it to FULL for
//     themselves (a passkey's counter must never go back, WebAuthn §6.1.1).
// Needs strace (npm test's pretest installs it: scripts/install-test-tools.sh); without it, or
// where ptrace is not allowed, the test is skipped with a loud message (and fails when CI is set).

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runToEnd, straceProblem, WRITER } from './harness.js';
import type { WriterTarget } from './ops.js';

const WRITES = 80;

interface Traced {
  /** The write's kind (from its `b` line's JSON). */
  kind: string;
  /** pwrite64 calls to the database's -wal file between `b` and `a` (0: the write changed nothing). */
  walWrites: number;
  /** fdatasync/fsync calls on the database's -wal file between `b` and `a`. */
  walSyncs: number;
  /** At the ack, the WAL had been written after its last sync (what was written may not be on disk). */
  unsyncedAtAck: boolean;
  acked: boolean;
}

/** Runs the writer under strace and tells, write by write, whether the WAL was synced before the ack. */
async function trace(dir: string, name: string, target: WriterTarget): Promise<Traced[]> {
  const log = join(dir, `${name}.strace`);
  // -y names each fd's file; -s keeps enough of each stdout line to read `b <id> {"id":…,"kind":…`.
  const args = ['-o', log, '-y', '-s', '96', '-e', 'trace=write,pwrite64,fsync,fdatasync', process.execPath, WRITER];
  await runToEnd('strace', args, { target, run: 0, seed: 1, concurrency: 1, maxWrites: WRITES }, 60_000);
  const writes = new Map<string, Traced>();
  let current: Traced | undefined;
  for (const line of readFileSync(log, 'utf8').split('\n')) {
    const out = /^write\(1(?:<[^>]*>)?, "([ab]) ([0-9]+\.[0-9]+)(?: |\\n)(.*)/.exec(line);
    if (out !== null) {
      const [, tag, id, rest] = out;
      if (tag === 'b') {
        const kind = /\\"kind\\":\\"([a-z-]+)\\"/.exec(rest!)?.[1] ?? '?';
        current = { kind, walWrites: 0, walSyncs: 0, unsyncedAtAck: false, acked: false };
        writes.set(id!, current);
      } else {
        const w = writes.get(id!);
        assert.ok(w !== undefined, `an ack without a begin in the trace: ${line}`);
        w.acked = true;
        current = undefined;
      }
      continue;
    }
    if (current === undefined) continue;
    if (/^pwrite64\(\d+<[^>]*-wal>/.test(line)) {
      current.walWrites++;
      current.unsyncedAtAck = true;
    }
    if (/^f(?:data)?sync\(\d+<[^>]*-wal>\)/.test(line)) {
      current.walSyncs++;
      current.unsyncedAtAck = false;
    }
  }
  const list = [...writes.values()];
  assert.equal(list.filter((w) => w.acked).length, WRITES, `${name}: the trace holds ${list.length} writes`);
  return list;
}

const isWebAuthn = (kind: string): boolean => kind === 'authenticator' || kind === 'passkey';

describe('durability: when an acknowledged write reaches the disk (strace)', { timeout: 180_000 }, () => {
  it('synchronous=full syncs the WAL before every acknowledgement; normal does not (but for WebAuthn in the profile)', async (t) => {
    const problem = straceProblem();
    if (problem !== undefined) {
      // npm test's pretest installs strace (scripts/install-test-tools.sh): in CI its absence is a failure.
      const ci = process.env['CI'];
      if (ci !== undefined && ci !== '' && ci !== 'false') assert.fail(`${problem}, and CI is set: this measurement must run in CI`);
      console.error(`\n*** SKIPPED: ${problem}. The fsync measurement did not run. ***\n`);
      t.skip(problem);
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'fedkit-fsync-'));
    try {
      for (const synchronous of ['full', 'normal'] as const) {
        const idp = await trace(dir, `idp-${synchronous}`, { kind: 'idp-sqlite', filename: join(dir, `idp-${synchronous}.db`), synchronous });
        const profile = await trace(dir, `profile-${synchronous}`, { kind: 'profile', path: join(dir, `profile-${synchronous}.db`), synchronous });
        const groups: [string, Traced[], 'synced' | 'not synced'][] = [
          [`SQLite store, synchronous=${synchronous}`, idp, synchronous === 'full' ? 'synced' : 'not synced'],
          [`SQLite profile, synchronous=${synchronous}, WebAuthn writes`, profile.filter((w) => isWebAuthn(w.kind)), 'synced'],
          [`SQLite profile, synchronous=${synchronous}, other writes`, profile.filter((w) => !isWebAuthn(w.kind)), synchronous === 'full' ? 'synced' : 'not synced'],
        ];
        for (const [name, writes, expected] of groups) {
          const wrote = writes.filter((w) => w.walWrites > 0);
          // Synced: the WAL was fdatasync'd after the write's last frame went in, before the ack.
          const synced = wrote.filter((w) => w.walSyncs > 0 && !w.unsyncedAtAck);
          const unchanged = writes.length - wrote.length;
          t.diagnostic(
            `${name}: ${synced.length} of ${wrote.length} acknowledged writes had the WAL fdatasync'd before the ack` +
              (unchanged > 0 ? ` (${unchanged} more wrote nothing: the value was already there)` : ''),
          );
          assert.ok(wrote.length > 0, `${name}: no write wrote to the WAL`);
          if (expected === 'synced') assert.equal(synced.length, wrote.length, `${name}: a write was acknowledged before the WAL was synced`);
          else assert.equal(wrote.filter((w) => w.walSyncs > 0).length, 0, `${name}: writes were synced before the ack (did the option take effect?)`);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
