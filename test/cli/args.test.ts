// The command line's argument rules, through the parser every fedkit command uses.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseArgs, UsageError, type OptionSpecs } from '../../src/cli/args.js';

const specs: OptionSpecs = {
  port: { type: 'string', description: 'port' },
  origin: { type: 'string', multiple: true, description: 'origin' },
  json: { type: 'boolean', description: 'json' },
};

function usage(argv: string[]): string {
  try {
    parseArgs(argv, specs);
  } catch (e) {
    assert.ok(e instanceof UsageError, `expected a UsageError for ${argv.join(' ')}, got ${String(e)}`);
    return e.message;
  }
  assert.fail(`${argv.join(' ')} was accepted`);
}

describe('command-line arguments', () => {
  it('reads values in both forms, booleans, repeatable options and positionals, and everything after --', () => {
    const p = parseArgs(['a', '--port', '8080', '--origin=https://a.example', '--json', '--origin', 'https://b.example', '-', '--', '--not-an-option'], specs);
    assert.deepEqual(p.strings.get('port'), ['8080']);
    assert.deepEqual(p.strings.get('origin'), ['https://a.example', 'https://b.example']);
    assert.ok(p.booleans.has('json'));
    assert.deepEqual(p.positionals, ['a', '-', '--not-an-option']);
  });

  it('a value may start with a single dash, or be given inline whatever it is', () => {
    assert.deepEqual(parseArgs(['--port', '-1'], specs).strings.get('port'), ['-1']);
    assert.deepEqual(parseArgs(['--port=--x'], specs).strings.get('port'), ['--x']);
  });

  it('refuses, in one sentence naming the option, what it does not understand', () => {
    assert.equal(usage(['--nope']), 'unknown option --nope');
    assert.equal(usage(['-p', '1']), 'unknown option -p (fedkit\'s options are all --long; to pass a value that begins with "-", put it after --: `-- -p`)');
    assert.match(usage(['retire', '-Abc_d']), /^unknown option -Abc_d .*`-- -Abc_d`/, 'the hint names the whole argument, not its first letter');
    assert.deepEqual(parseArgs(['retire', '--', '-Abc_d'], specs).positionals, ['retire', '-Abc_d']);
    assert.equal(usage(['--__proto__']), 'unknown option --__proto__');
    assert.equal(usage(['--json=yes']), '--json takes no value');
    assert.equal(usage(['--port']), '--port needs a value');
    assert.equal(usage(['--port', '--json']), '--port needs a value');
    assert.equal(usage(['--port', '1', '--port', '2']), '--port was given twice');
  });
});
