import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HostRules, parseHostRules, resolveHostRule } from '../../../src/common/host-rules.js';

describe('HostRules', () => {
  test('record form: wildcard, port-restricted pattern, target without port keeps the request port', () => {
    const rules = HostRules.from({ '*.example:443': '127.0.0.1:8443', 'idp.test': '127.0.0.1' });
    assert.deepEqual(rules.resolve('idp.example', 443), { host: '127.0.0.1', port: 8443 });
    assert.deepEqual(rules.resolve('accounts.idp.example', 443), { host: '127.0.0.1', port: 8443 });
    assert.equal(rules.resolve('idp.example', 8443), null, 'pattern port must match');
    assert.equal(rules.resolve('example', 443), null, '*.example does not match example itself');
    assert.deepEqual(rules.resolve('idp.test', 4000), { host: '127.0.0.1', port: 4000 });
    assert.deepEqual(rules.resolve('IDP.TEST', 80), { host: '127.0.0.1', port: 80 });
    assert.equal(rules.resolve('rp.test', 443), null);
  });

  test('first matching rule wins, in insertion order', () => {
    const rules = HostRules.from({ 'idp.example': '127.0.0.1:1', '*.example': '127.0.0.1:2', '*': '127.0.0.1:3' });
    assert.deepEqual(rules.resolve('idp.example', 443), { host: '127.0.0.1', port: 1 });
    assert.deepEqual(rules.resolve('rp.example', 443), { host: '127.0.0.1', port: 2 });
    assert.deepEqual(rules.resolve('anything.else', 443), { host: '127.0.0.1', port: 3 });
    const reversed = HostRules.from({ '*': '127.0.0.1:3', 'idp.example': '127.0.0.1:1' });
    assert.deepEqual(reversed.resolve('idp.example', 443), { host: '127.0.0.1', port: 3 });
  });

  test('Chromium string form, IPv6 targets, and round-trip to a string', () => {
    const rules = parseHostRules('MAP *.example:443 127.0.0.1:8443, MAP foo 127.0.0.1 ,map bar [::1]:9000');
    assert.equal(rules.size, 3);
    assert.deepEqual(resolveHostRule(rules, 'idp.example', 443), { host: '127.0.0.1', port: 8443 });
    assert.deepEqual(rules.resolve('foo', 80), { host: '127.0.0.1', port: 80 });
    assert.deepEqual(rules.resolve('bar', 443), { host: '[::1]', port: 9000 });
    assert.equal(rules.toString(), 'MAP *.example:443 127.0.0.1:8443, MAP foo 127.0.0.1, MAP bar [::1]:9000');
    assert.equal(HostRules.from(rules), rules);
    assert.equal(HostRules.from(undefined).size, 0);
    assert.equal(HostRules.from('').size, 0);
  });

  test('invalid rules throw a TypeError naming the rule', () => {
    const bad: [unknown, RegExp][] = [
      [{ 'idp.example': '127.0.0.1:99999' }, /"idp\.example 127\.0\.0\.1:99999".*out of range/],
      [{ 'idp.example': '127.0.0.1:port' }, /"idp\.example 127\.0\.0\.1:port".*not a number/],
      [{ 'i*p.example': '127.0.0.1' }, /"i\*p\.example 127\.0\.0\.1".*wildcard/],
      [{ 'idp.example': '' }, /target is empty/],
      [{ 'idp.example': 'not a host' }, /neither an IP address nor a host name/],
      [{ 'idp.example': '::1' }, /brackets/],
      ['MAP idp.example', /"MAP idp\.example".*expected "MAP <host pattern> <ip\[:port\]>"/],
      ['EXCLUDE idp.example', /"EXCLUDE idp\.example"/],
      ['MAP idp.example 127.0.0.1 extra', /expected/],
    ];
    for (const [input, message] of bad) {
      assert.throws(() => HostRules.from(input as Record<string, string> | string), (err: unknown) => {
        assert.ok(err instanceof TypeError);
        assert.match(err.message, message);
        return true;
      });
    }
  });
});
