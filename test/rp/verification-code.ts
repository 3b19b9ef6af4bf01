// What a verification came to, as the tests compare it: 'verified', or the failed check's code.

import assert from 'node:assert/strict';
import { TokenVerificationError } from '../../src/rp/verify.js';

export async function verificationCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof TokenVerificationError, String(e));
    return e.code;
  }
  return 'verified';
}
