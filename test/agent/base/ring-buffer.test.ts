// The ring buffer behind agent.diagnostics: bounded, oldest dropped first, order kept.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RingBuffer } from '../../../src/agent/base/ring-buffer.js';

describe('RingBuffer', () => {
  it('keeps everything until it is full', () => {
    const ring = new RingBuffer<number>(3);
    assert.deepEqual(ring.toArray(), []);
    ring.push(1);
    ring.push(2);
    assert.deepEqual(ring.toArray(), [1, 2]);
    assert.equal(ring.length, 2);
  });

  it('drops the oldest first and keeps the order across many wraps', () => {
    const ring = new RingBuffer<number>(3);
    for (let i = 1; i <= 10; i++) {
      ring.push(i);
      const expected = Array.from({ length: Math.min(i, 3) }, (_, k) => i - Math.min(i, 3) + 1 + k);
      assert.deepEqual(ring.toArray(), expected, `after pushing ${i}`);
    }
    assert.equal(ring.length, 3);
  });

  it('a capacity of 1 holds the latest item', () => {
    const ring = new RingBuffer<string>(1);
    ring.push('a');
    ring.push('b');
    assert.deepEqual(ring.toArray(), ['b']);
  });

  it('hands out snapshots that later pushes do not change', () => {
    const ring = new RingBuffer<number>(2);
    ring.push(1);
    const snapshot = ring.toArray();
    ring.push(2);
    ring.push(3);
    assert.deepEqual(snapshot, [1]);
    snapshot.push(99);
    assert.deepEqual(ring.toArray(), [2, 3]);
  });

  it('Infinity keeps everything', () => {
    const ring = new RingBuffer<number>(Infinity);
    for (let i = 0; i < 5000; i++) ring.push(i);
    assert.equal(ring.length, 5000);
    assert.equal(ring.toArray()[0], 0);
  });

  it('clear empties it and it fills again in order', () => {
    const ring = new RingBuffer<number>(2);
    for (const i of [1, 2, 3]) ring.push(i);
    ring.clear();
    assert.deepEqual(ring.toArray(), []);
    for (const i of [4, 5, 6]) ring.push(i);
    assert.deepEqual(ring.toArray(), [5, 6]);
  });

  it('refuses a capacity that is not a positive integer or Infinity', () => {
    for (const bad of [0, -1, 1.5, NaN, -Infinity]) {
      assert.throws(() => new RingBuffer(bad), RangeError, `capacity ${bad}`);
    }
  });
});
