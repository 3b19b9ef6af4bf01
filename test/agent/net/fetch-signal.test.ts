// One fetch's abort state (src/agent/net/fetch-signal.ts) and the three ends of a fetch it
// carries: the timer, the caller's signal, and the agent closing (FetcherOptions.closed).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { FetchSignal } from '../../../src/agent/net/fetch-signal.js';
import type { Fetcher } from '../../../src/agent/net/fetcher.js';
import type { InProcessHandler } from '../../../src/agent/net/in-process.js';
import { TestServer, rejectsNet, request, testFetcher } from './helpers.js';

const T = { timeout: 15_000 };

/** Rejects after `ms` with `what`, so a regression fails with a message instead of hanging. */
function within<V>(p: Promise<V>, ms: number, what: string): Promise<V> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

/** A full collection: V8's gc() made callable in a new context (node --expose-gc not needed). */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** Resolves once `ready()` holds, checking every millisecond (callers bound it with within()). */
async function waitFor(ready: () => boolean): Promise<void> {
  while (!ready()) await new Promise((resolve) => setTimeout(resolve, 1));
}

describe('FetchSignal', () => {
  test('aborts once: the first cause and reason stay, each listener runs once in order, a removed one never', () => {
    const s = new FetchSignal();
    const ran: string[] = [];
    const b = (): void => void ran.push('b');
    s.addEventListener('abort', () => ran.push('a'));
    s.addEventListener('abort', b);
    s.addEventListener('abort', () => ran.push('c'));
    s.removeEventListener('abort', b);
    // An event other than 'abort' (none exists) is ignored, as on an AbortSignal.
    (s.addEventListener as (type: string, listener: () => void) => void)('other', () => ran.push('other'));
    assert.doesNotThrow(() => s.throwIfAborted());
    const reason = new Error('first');
    s.abort(reason, 'timeout');
    s.abort(new Error('second'), 'caller');
    assert.deepEqual(ran, ['a', 'c']);
    assert.equal(s.aborted, true);
    assert.equal(s.cause, 'timeout');
    assert.equal(s.reason, reason);
    assert.throws(() => s.throwIfAborted(), /first/);
  });
});

describe('a fetch ends by its timer, its caller or the agent closing', T, () => {
  let server: TestServer;
  let closing: AbortController;
  let fetcher: Fetcher;
  // Only the signals (and URLs) are kept, as a handler that passes its signal on would.
  const seen: AbortSignal[] = [];
  const requestURLs: string[] = [];
  before(async () => {
    server = await TestServer.https();
    closing = new AbortController();
    // Never answers (but /ok); the Request path, so the handler's request.signal can be watched.
    const hang: InProcessHandler = (req) => {
      if (new URL(req.url).pathname === '/ok') return new Response('ok');
      seen.push(req.signal);
      requestURLs.push(req.url);
      return new Promise<Response>(() => {});
    };
    fetcher = testFetcher(server, { handlers: { 'https://idp.example': hang }, closed: closing.signal });
  });
  after(async () => {
    await fetcher.close();
    await server.close();
  });

  test('the timer: a timeout, and the handler sees its request aborted', async () => {
    const err = await within(rejectsNet(fetcher.fetch(request('https://idp.example/t', { timeoutMs: 50 })), 'timeout'), 5000, 'the timeout');
    assert.match(err.message, /did not complete within 50 ms/);
    assert.equal(seen.at(-1)?.aborted, true);
  });

  test("the caller's signal: aborted, with its reason as the cause; an aborted signal is refused before it starts", async () => {
    const caller = new AbortController();
    const pending = rejectsNet(fetcher.fetch(request('https://idp.example/c', { signal: caller.signal })), 'aborted');
    setTimeout(() => caller.abort(new Error('user left')), 20);
    const err = await within(pending, 5000, 'the abort');
    assert.match(err.message, /was aborted$/);
    assert.equal((err.cause as Error).message, 'user left');
    assert.equal(seen.at(-1)?.aborted, true);
    const early = await rejectsNet(fetcher.fetch(request('https://idp.example/c', { signal: caller.signal })), 'aborted');
    assert.match(early.message, /aborted before it started/);
  });

  test("one caller's signal shared by several requests (a FedCM call's): one abort ends every one in flight", async () => {
    const caller = new AbortController();
    // A request that finished before the abort is not touched by it.
    const done = await within(fetcher.fetch(request('https://idp.example/ok', { signal: caller.signal })), 5000, 'the answered request');
    assert.equal(new TextDecoder().decode(done.body), 'ok');
    const a = rejectsNet(fetcher.fetch(request('https://idp.example/a', { signal: caller.signal })), 'aborted');
    const b = rejectsNet(fetcher.fetch(request('https://idp.example/b', { signal: caller.signal })), 'aborted');
    setTimeout(() => caller.abort(new Error('call ended')), 20);
    const [ea, eb] = await within(Promise.all([a, b]), 5000, 'the shared abort');
    for (const e of [ea, eb]) assert.equal((e.cause as Error).message, 'call ended');
  });

  test("the handler's request.signal still aborts after garbage collections, when the handler kept only the signal", async () => {
    // A Request's signal follows the one it was made with only while the Request lives; the
    // transport holds it for the exchange. Collections forced between the request and the abort.
    const gc = collector();
    const caller = new AbortController();
    const pending = rejectsNet(fetcher.fetch(request('https://idp.example/gc', { signal: caller.signal })), 'aborted');
    await within(waitFor(() => seen.length > 0 && new URL(requestURLs.at(-1) ?? 'https://x/').pathname === '/gc'), 5000, 'the handler call');
    const signal = seen.at(-1)!;
    for (let i = 0; i < 3; i++) {
      gc();
      await new Promise((resolve) => setImmediate(resolve));
    }
    caller.abort(new Error('gone'));
    await within(pending, 5000, 'the abort');
    assert.equal(signal.aborted, true, "the handler's signal did not follow the abort");
  });

  test('the agent closing: every request in flight ends as aborted, and new ones are refused', async () => {
    const a = rejectsNet(fetcher.fetch(request('https://idp.example/a')), 'aborted');
    const b = rejectsNet(fetcher.fetch(request('https://idp.example/b')), 'aborted');
    setTimeout(() => closing.abort(new Error('agent closed')), 20);
    const [ea, eb] = await within(Promise.all([a, b]), 5000, 'closing');
    for (const e of [ea, eb]) assert.equal((e.cause as Error).message, 'agent closed');
    const late = await rejectsNet(fetcher.fetch(request('https://idp.example/late')), 'aborted');
    assert.match(late.message, /the agent is closed, so https:\/\/idp\.example\/late was not requested/);
  });
});
