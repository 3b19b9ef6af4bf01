// The disconnect request body, byte for byte as Chromium 156 sends it (differential golden
// "disconnect: after a sign-in, by email hint"): both values form-encoded with the query charmap.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { disconnectBody } from '../../src/agent/fedcm/disconnect.js';

describe('disconnect body encoding', () => {
  test("an email hint's @ is escaped", () => {
    assert.equal(disconnectBody('123', 'john_doe@idp.example'), 'client_id=123&account_hint=john_doe%40idp.example');
  });
  test('reserved characters, space and non-ASCII are escaped; unreserved ones stay', () => {
    assert.equal(disconnectBody('a b&c=d', "x,y:z!'()*-._~é"), "client_id=a+b%26c%3Dd&account_hint=x%2Cy%3Az!'()*-._~%C3%A9");
  });
});
