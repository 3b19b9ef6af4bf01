// The bench entry points stop on a flag they do not know (a misspelt flag used to be ignored, and
// a long run went ahead with the defaults) and print their usage with --help; neither measures.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';

function cli(script: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [`dist/bench/${script}`, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('bench command lines', () => {
  for (const script of ['run.js', 'signin.js', 'throughput.js', 'net.js', 'soak/main.js']) {
    it(`${script}: an unknown flag is refused with the usage, exit status 2`, () => {
      const r = cli(script, '--iteration', '5');
      assert.equal(r.status, 2, `exit status (stderr: ${r.stderr})`);
      assert.match(r.stderr, /Unknown option '--iteration'/);
      assert.match(r.stderr, /Usage: /);
    });
  }

  it('--help prints the usage and exits 0; a bad number or choice names the flag', () => {
    const help = cli('signin.js', '--help');
    assert.equal(help.status, 0);
    assert.match(help.stdout, /^Usage: node dist\/bench\/signin\.js .*--only agent\|raw/);
    const bad = cli('signin.js', '--blocks', 'many');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--blocks must be a number of at least 1, got "many"/);
    const choice = cli('signin.js', '--only', 'chromium');
    assert.equal(choice.status, 2);
    assert.match(choice.stderr, /--only must be one of agent, raw, got "chromium"/);
  });

  it('soak: --minutes must be above 0, one of --minutes and --seconds, two workers only on PostgreSQL', () => {
    assert.match(cli('soak/main.js', '--minutes', '0').stderr, /--minutes must be a number above 0, got "0"/);
    assert.match(cli('soak/main.js', '--minutes', '1', '--seconds', '5').stderr, /pass --minutes or --seconds, not both/);
    const r = cli('soak/main.js', '--store', 'sqlite', '--workers', '2');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /two workers need --store postgres/);
  });

  it('run.js --from a file that is no run record says so', () => {
    const r = cli('run.js', '--from', 'package.json');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /is not a run record of bench\/run\.ts/);
  });
});
