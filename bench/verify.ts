// 3. RP verification: tokens verified per second by the RP kit (verifyIdentityToken, and an
// IdentityTokenVerifier kept by the caller), JWKS discovered once and cached, against the floor: a
// bare node:crypto verify() of the signature alone with a KeyObject made once (what the verifier
// now uses). jose.jwtVerify with its key imported is timed too, for reference. Real IdP tokens (the IdP kit's assertion
// endpoint, in process); the RP kit fetches discovery and the JWKS from the IdP handler directly.
// Batches rotate between the contenders so noise hits all; the rate is the median over batches.

import { createPublicKey, randomBytes, verify, type JsonWebKey } from 'node:crypto';
import { importJWK, jwtVerify } from 'jose';
import { addClient, addUser, createIdp, SqliteStore } from '../src/idp/index.js';
import { sha256 } from '../src/idp/context.js';
import { IdentityTokenVerifier, verifyIdentityToken, type FetchLike } from '../src/rp/verify.js';
import { median } from './lib/stats.js';

export interface VerifyResults {
  tokens: number;
  batch: number;
  rounds: number;
  /** Median tokens/s per method. */
  rates: Record<string, number>;
  /** Median over rounds of each method's rate / the bare crypto.verify's rate in the same round. */
  pairedRatios: Record<string, number>;
  /** Discovery + JWKS fetches the RP kit made (1 + 1 when cached). */
  fetches: number;
  elapsed: number;
}

export const BARE = 'crypto.verify, KeyObject in hand';
export const JOSE = 'jose.jwtVerify, key in hand';
export const FUNCTION = 'verifyIdentityToken()';
export const VERIFIER = 'IdentityTokenVerifier.verify()';

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
  const names = Object.keys(methods);
  // Warm-up: JIT, discovery, JWKS, key import.
  for (const name of names) for (const t of tokens.slice(0, 50)) await methods[name]!(t);
  const rates: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  let next = 0;
  for (let round = 0; round < options.rounds; round++) {
    const order = names.map((_, i) => names[(i + round) % names.length]!);
    for (const name of order) {
      const run = methods[name]!;
      const t0 = performance.now();
      for (let i = 0; i < options.batch; i++) {
        const pending = run(tokens[next++ % tokens.length]!);
        if (pending instanceof Promise) await pending;
      }
      rates[name]!.push(options.batch / ((performance.now() - t0) / 1000));
    }
  }
  await store.close();
  const result: VerifyResults = {
    tokens: tokens.length,
    batch: options.batch,
    rounds: options.rounds,
    rates: Object.fromEntries(names.map((n) => [n, median(rates[n]!)])),
    pairedRatios: Object.fromEntries(names.map((n) => [n, median(rates[n]!.map((r, i) => r / rates[BARE]![i]!))])),
    fetches,
    elapsed: (performance.now() - started) / 1000,
  };
  for (const n of names) options.log(`  ${n}: ${Math.round(result.rates[n]!)}/s (${result.pairedRatios[n]!.toFixed(2)}× crypto.verify, paired)`);
  return result;
}
