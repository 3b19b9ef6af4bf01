// The terminal's line prompt (the IdP's login form in `fedkit signin`): keys typed ahead, in the
// same chunk as the Enter that ends a prompt, reach the next prompt; an empty required field is
// refused at once.

import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { promptLine } from '../../src/cli/terminal/prompt.js';
import { createStyle } from '../../src/cli/terminal/style.js';

const style = createStyle(false);

function within<T>(p: Promise<T>, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} did not finish`)), 2000).unref())]);
}

describe('promptLine', () => {
  it('keeps what was typed after the Enter for the next prompt (a paste of both fields, typed before the first prompt)', async () => {
    const input = Object.assign(new PassThrough(), { isTTY: false });
    let drawn = '';
    const output = { write: (t: string) => (drawn += t) };
    input.write('john@x.example\rhunter2x\r');
    const email = await within(promptLine('Email', { input, output, style }), 'the email prompt');
    const password = await within(promptLine('Password', { input, output, style, secret: true }), 'the password prompt');
    assert.deepEqual([email, password], ['john@x.example', 'hunter2x']);
    assert.ok(drawn.includes('Password: ••••••••\n'), drawn);
  });

  it('refuses an empty required field at once and keeps asking', async () => {
    const input = Object.assign(new PassThrough(), { isTTY: false });
    let drawn = '';
    const output = { write: (t: string) => (drawn += t) };
    const answer = promptLine('Password', { input, output, style, secret: true, required: true });
    input.write('\r');
    input.write('\rsecret12\r');
    assert.equal(await within(answer, 'the prompt'), 'secret12');
    assert.equal(drawn, 'Password:  (required)\nPassword:  (required)\nPassword: ••••••••\n');
  });

  it('still gives an empty line when the field is not required', async () => {
    const input = Object.assign(new PassThrough(), { isTTY: false });
    const answer = promptLine('Name', { input, output: { write: () => true }, style });
    input.write('\r');
    assert.equal(await within(answer, 'the prompt'), '');
  });
});
