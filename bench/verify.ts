// 3. RP verification: tokens verified per second by the RP kit (verifyIdentityToken, and an
// IdentityTokenVerifier kept by the caller), JWKS discovered once and cached, against the floor: a
// bare node:crypto verify() of the signature alone with a KeyObject made once (what the verifier
// now uses). jose.jwtVerify with its key imported is timed too, for reference. Real IdP tokens (the IdP kit's assertion
// endpoint, in process); the RP kit fetches discovery and the JWKS from the IdP handler directly.
// The rate is the median over batches; each ratio is the median of per-round ratios to the floor.
//
// The order is fair to each of the three the goal compares (ORDERS): a batch pays for the garbage
// the batch before it left, so each of them runs after each other equally often. jose, whose
// WebCrypto path leaves far more garbage than the others, is measured apart, after them, against
// floor batches of its own (in alternating order), so it is no contender's predecessor.

import { createPublicKey, randomBytes, verify, type JsonWebKey } from 'node:crypto';
import { importJWK, jwtVerify } from 'jose';
import { addClient, addUser, createIdp, SqliteStore } from '../src/idp/index.js';
import { sha256 } from '../src/idp/context.js';
import { IdentityTokenVerifier, verifyIdentityToken, type FetchLike } from '../src/rp/verify.js';
import { median } from './lib/stats.js';

export interface VerifyResults {
  tokens: number;
  batch: number;
  /** Rounds of each phase (ORDERS, then jose apart): the rounds asked for, up to whole cycles of ORDERS. */
  rounds: number;
  /** Median tokens/s per method. */
  rates: Record<string, number>;
  /** Median over rounds of each method's rate / the bare crypto.verify's rate in the same round (jose: in its own phase). */
  pairedRatios: Record<string, number>;
  /** Discovery + JWKS fetches the RP kit made (1 + 1 when cached). */
  fetches: number;
  elapsed: number;
}

export const BARE = 'crypto.verify, KeyObject in hand';
export const JOSE = 'jose.jwtVerify, key in hand';
export const FUNCTION = 'verifyIdentityToken()';
export const VERIFIER = 'IdentityTokenVerifier.verify()';

/**
 * The orders of the rounds, as indices into [floor, function, verifier], repeated every six
 * rounds: all six permutations, so each contender runs first, second and third equally often,
 * and in a sequence where each directly follows each other contender three times in six rounds
 * (twice inside a round, once across the boundary to the next, the sixth wrapping to the first).
 */
export const ORDERS: readonly (readonly number[])[] = [
  [0, 1, 2],
  [0, 2, 1],
  [2, 1, 0],
  [1, 0, 2],
  [1, 2, 0],
  [2, 0, 1],
];

/** How the rounds are ordered, for the report (docs/benchmarks.md section 3). */
export function describeOrder(rounds: number): string {
  return (
    `${rounds} rounds run the floor, the one-call function and the verifier in each of their six orders in turn, so each ` +
    'runs after each other equally often (a batch pays for the garbage of the one before); jose is measured apart, after ' +
    `them: ${rounds} rounds of one jose batch and one floor batch, in alternating order, its ratio to those floor batches`
  );
}

export async function benchVerify(options: { tokens: number; batch: number; rounds: number; log: (s: string) => void }): Promise<VerifyResults> {
  const started = performance.now();
  const issuer = 'https://idp.example';
  const clientId = 'bench-rp';
  const store = new SqliteStore({ filename: ':memory:' });
  await store.migrate();
  const idp = createIdp({ issuer, store });
  await addClient(store, { id: clientId, origins: ['https://rp.example'], privacyPolicyUrl: 'https://rp.example/privacy', termsOfServiceUrl: 'https://rp.example/terms' });
  await addUser(store, { id: 'u1', email: 'user@idp.example', name: 'Bench User', password: 'bench password 1', scrypt: { N: 2 ** 10, r: 8, p: 1 } });
  const sid = randomBytes(32).toString('base64url');
  await store.createSession({ idHash: sha256(sid), userId: 'u1', createdAt: Date.now(), expiresAt: Date.now() + 3_600_000 });

  // Real tokens, with distinct nonces, from the assertion endpoint.
  const tokens: { token: string; nonce: string }[] = [];
  for (let i = 0; i < options.tokens; i++) {
    const nonce = `verify-${i}-${randomBytes(6).toString('hex')}`;
    const res = await idp(
      new Request(idp.urls.assertion, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://rp.example', cookie: `fedkit_session=${sid}`, 'sec-fetch-dest': 'webidentity' },
        body: new URLSearchParams({ client_id: clientId, account_id: 'u1', params: JSON.stringify({ nonce }), disclosure_text_shown: 'true', fields: 'name,email' }).toString(),
      }),
    );
    const body = (await res.json()) as { token?: string };
    if (typeof body.token !== 'string') throw new Error(`no token from the IdP: ${JSON.stringify(body)}`);
    tokens.push({ token: body.token, nonce });
  }
  let fetches = 0;
  const fetch: FetchLike = async (url, init) => {
    fetches++;
    return idp(new Request(url, { headers: init?.headers ?? {} }));
  };
  const { keys } = await idp.jwks();
  const jwk = keys[0];
  if (jwk === undefined) throw new Error('the IdP publishes no key');
  const publicKey = await importJWK(jwk, 'ES256');
  const keyObject = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
  // The floor sees each token already split: its signing input and signature decoded in advance.
  const split = tokens.map(({ token }) => {
    const dot = token.lastIndexOf('.');
    return { input: Buffer.from(token.slice(0, dot)), signature: Buffer.from(token.slice(dot + 1), 'base64url') };
  });
  let nextSplit = 0;
  const verifier = new IdentityTokenVerifier({ issuer, clientId, fetch });

  const methods: Record<string, (t: { token: string; nonce: string }) => unknown> = {
    // Synchronous, and not awaited in the loops below: the floor pays no promise.
    [BARE]: () => {
      const t = split[nextSplit++ % split.length]!;
      if (!verify('sha256', t.input, { key: keyObject, dsaEncoding: 'ieee-p1363' }, t.signature)) throw new Error('bad signature');
    },
    [JOSE]: async ({ token, nonce }) => {
      const { payload } = await jwtVerify(token, publicKey, { issuer, audience: clientId, algorithms: ['ES256'] });
      if (payload.nonce !== nonce) throw new Error('nonce mismatch');
      return payload;
    },
    [FUNCTION]: ({ token, nonce }) => verifyIdentityToken(token, { issuer, clientId, fetch, nonce }),
    [VERIFIER]: ({ token, nonce }) => verifier.verify(token, { nonce }),
  };
  // The three the goal compares, then jose apart (ORDERS).
  const compared = [BARE, FUNCTION, VERIFIER];
  const names = [BARE, JOSE, FUNCTION, VERIFIER];
  // Whole cycles of ORDERS, so no order runs more often than another.
  const rounds = Math.ceil(options.rounds / ORDERS.length) * ORDERS.length;
  const rates: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  let next = 0;
  const batch = async (name: string): Promise<number> => {
    const run = methods[name]!;
    const t0 = performance.now();
    for (let i = 0; i < options.batch; i++) {
      const pending = run(tokens[next++ % tokens.length]!);
      if (pending instanceof Promise) await pending;
    }
    return options.batch / ((performance.now() - t0) / 1000);
  };
  // Warm-up: JIT, discovery, JWKS, key import (jose's only before its own phase).
  for (const name of compared) for (const t of tokens.slice(0, 50)) await methods[name]!(t);
  for (let round = 0; round < rounds; round++) {
    for (const i of ORDERS[round % ORDERS.length]!) rates[compared[i]!]!.push(await batch(compared[i]!));
  }
  const pairedRatios: Record<string, number> = Object.fromEntries(compared.map((n) => [n, median(rates[n]!.map((r, i) => r / rates[BARE]![i]!))]));
  // jose apart: each round a jose batch and a floor batch, jose first in every other round.
  for (const t of tokens.slice(0, 50)) await methods[JOSE]!(t);
  const joseRatios: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const first = round % 2 === 0 ? JOSE : BARE;
    const a = await batch(first);
    const b = await batch(first === JOSE ? BARE : JOSE);
    const [jose, bare] = first === JOSE ? [a, b] : [b, a];
    rates[JOSE]!.push(jose);
    joseRatios.push(jose / bare);
  }
  pairedRatios[JOSE] = median(joseRatios);
  await store.close();
  const result: VerifyResults = {
    tokens: tokens.length,
    batch: options.batch,
    rounds,
    rates: Object.fromEntries(names.map((n) => [n, median(rates[n]!)])),
    pairedRatios,
    fetches,
    elapsed: (performance.now() - started) / 1000,
  };
  for (const n of names) options.log(`  ${n}: ${Math.round(result.rates[n]!)}/s (${result.pairedRatios[n]!.toFixed(2)}× crypto.verify, paired)`);
  return result;
}
