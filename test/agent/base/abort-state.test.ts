// The agent's own abort state (src/agent/base/abort-state.ts): it must behave as the parts of an
// AbortSignal the agent's steps read, and the AbortSignal made from it must follow it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AbortState, type AbortLike } from '../../../src/agent/base/abort-state.js';

describe('AbortState', () => {
  test('aborts once: the first reason stays, listeners run once in the order added, a removed one never', () => {
    const s = new AbortState();
    const ran: string[] = [];
    const b = (): void => void ran.push('b');
    s.addEventListener('abort', () => ran.push(`a saw aborted=${s.aborted}`));
    s.addEventListener('abort', b);
    s.addEventListener('abort', () => ran.push('c'));
    s.removeEventListener('abort', b);
    assert.doesNotThrow(() => s.throwIfAborted());
    const reason = new Error('first');
    s.abort(reason);
    s.abort(new Error('second'));
    // DOM "signal abort": the state is set before the listeners run.
    assert.deepEqual(ran, ['a saw aborted=true', 'c']);
    assert.equal(s.reason, reason);
    assert.throws(() => s.throwIfAborted(), /first/);
  });

  test('as an EventTarget: a listener added twice runs once, one removed by an earlier one does not run', () => {
    for (const make of [() => new AbortState(), () => new AbortController()]) {
      const made = make();
      const s = made instanceof AbortController ? made.signal : made;
      const ran: string[] = [];
      const twice = (): void => void ran.push('twice');
      const later = (): void => void ran.push('later');
      s.addEventListener('abort', twice);
      s.addEventListener('abort', twice);
      s.addEventListener('abort', () => s.removeEventListener('abort', later));
      s.addEventListener('abort', later);
      made.abort('why');
      assert.deepEqual(ran, ['twice'], made.constructor.name);
    }
  });

  test('a listener added after the abort never runs, as on an AbortSignal', () => {
    const s = new AbortState();
    s.abort('why');
    let ran = false;
    s.addEventListener('abort', () => (ran = true));
    const native = AbortSignal.abort('why');
    let nativeRan = false;
    native.addEventListener('abort', () => (nativeRan = true));
    assert.equal(ran, false);
    assert.equal(nativeRan, false);
  });

  test('asAbortSignal(): one AbortSignal, made on first use, aborted with the same reason', () => {
    const s = new AbortState();
    const signal = s.asAbortSignal();
    assert.ok(signal instanceof AbortSignal);
    assert.equal(s.asAbortSignal(), signal, 'the same signal each time');
    assert.equal(signal.aborted, false);
    const reason = new DOMException('stop', 'AbortError');
    s.abort(reason);
    assert.equal(signal.aborted, true);
    assert.equal(signal.reason, reason);

    const late = new AbortState();
    late.abort('already');
    assert.equal(late.asAbortSignal().aborted, true);
    assert.equal(late.asAbortSignal().reason, 'already');
  });

  test('an AbortSignal is an AbortLike, so a page signal and the agent state go the same ways', () => {
    const controller = new AbortController();
    const like: AbortLike = controller.signal;
    let ran = 0;
    like.addEventListener('abort', () => ran++, { once: true });
    controller.abort(new Error('page'));
    assert.equal(ran, 1);
    assert.throws(() => like.throwIfAborted(), /page/);
  });
});
