// The fetcher's one timer for every request with its default timeout (src/agent/net/shared-timeout.ts),
// and the timeoutMs option it relies on being a usable timer duration.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createAgent } from '../../../src/agent/index.js';
import { SharedTimeout } from '../../../src/agent/net/shared-timeout.js';

const T = { timeout: 10_000 };
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('SharedTimeout', T, () => {
  it('calls each waiter back once its own time has passed, in the order they started', async () => {
    const timeout = new SharedTimeout(120);
    const fired: { name: string; after: number }[] = [];
    const t0 = performance.now();
    timeout.start(() => fired.push({ name: 'first', after: performance.now() - t0 }));
    await sleep(60);
    timeout.start(() => fired.push({ name: 'second', after: performance.now() - t0 }));
    await sleep(400);
    timeout.dispose();
    assert.deepEqual(fired.map((f) => f.name), ['first', 'second']);
    // Node's millisecond timers may fire a hair early as performance.now() reads it; not a whole ms.
    assert.ok(fired[0]!.after >= 119, `the first fired after ${fired[0]!.after.toFixed(1)} ms, before its 120`);
    assert.ok(fired[1]!.after >= 60 + 119, `the second fired after ${fired[1]!.after.toFixed(1)} ms, before its 60 + 120`);
  });

  it('does not call back a waiter that was cancelled, and still serves the ones after it', async () => {
    const timeout = new SharedTimeout(80);
    const fired: string[] = [];
    const first = timeout.start(() => fired.push('cancelled'));
    timeout.start(() => fired.push('kept'));
    timeout.cancel(first);
    await sleep(300);
    timeout.dispose();
    assert.deepEqual(fired, ['kept']);
  });

  it('calls nobody back after dispose()', async () => {
    const timeout = new SharedTimeout(50);
    let fired = false;
    timeout.start(() => (fired = true));
    timeout.dispose();
    await sleep(200);
    assert.equal(fired, false);
  });

  // In a process of its own: what keeps a process alive, and an uncaught error (which the test
  // runner would take as this file's failure).
  const module = fileURLToPath(new URL('../../../src/agent/net/shared-timeout.js', import.meta.url));
  const run = (body: string): { status: number | null; stdout: string; ms: number } => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', `import { SharedTimeout } from ${JSON.stringify(module)};\n${body}`], { encoding: 'utf8', timeout: 8_000 });
    return { status: r.status, stdout: r.stdout, ms: performance.now() - t0 };
  };

  it('serves the waiters after one whose callback throws, and throws that error as a timer callback would', () => {
    const r = run(
      "process.on('uncaughtException', (e) => console.log('uncaught: ' + e.message));\n" +
        "const t = new SharedTimeout(50);\nt.start(() => { throw new Error('from a callback'); });\nt.start(() => console.log('second called back'));",
    );
    assert.deepEqual(r.stdout.trim().split('\n').sort(), ['second called back', 'uncaught: from a callback']);
  });

  it('holds the process open only while someone waits', () => {    // Waiting: the process stays up until the timeout calls back.
    const waiting = run("new SharedTimeout(400).start(() => console.log('fired'));");
    assert.equal(waiting.stdout.trim(), 'fired', 'a pending waiter keeps the process alive until its timeout');
    // Cancelled: the armed timer (a minute away) does not keep it up.
    const idle = run('const t = new SharedTimeout(60_000); t.cancel(t.start(() => {}));');
    assert.equal(idle.status, 0);
    assert.ok(idle.ms < 5_000, `a process with no waiter left exited after ${idle.ms.toFixed(0)} ms; the minute-long timer held it`);
  });
});

describe('createAgent({ timeoutMs })', () => {
  it('accepts a positive number of ms up to the longest Node timer', async () => {
    for (const ok of [1, 0.5, 30_000, 2 ** 31 - 1 - 1000]) await createAgent({ timeoutMs: ok }).close();
  });

  it('refuses anything else with a TypeError naming the option', () => {
    // Infinity and 2^31 ms would make Node fire the timer after 1 ms instead.
    for (const bad of [0, -1, NaN, Infinity, 2 ** 31, '1000', null]) {
      assert.throws(
        () => createAgent({ timeoutMs: bad as number }),
        (e: unknown) => e instanceof TypeError && /createAgent: timeoutMs must be a positive number of milliseconds/.test(e.message),
        `timeoutMs: ${String(bad)}`,
      );
    }
  });
});
