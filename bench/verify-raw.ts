// The RP verifier against the floor it can reach: node:crypto's verify() with a KeyObject already
// made, on the same tokens. The verifier does everything else too (the JWS parsed and checked,
// the key looked up by kid, every claim checked, the nonce); the goal is ≥ 0.9 × the bare verify.
// ES256 and EdDSA (Ed25519). Batches of the two contenders alternate so noise hits both; the
// ratio is the median over rounds of the verifier's rate / bare rate in the same round.
//
//   npx tsc -p . && node dist/bench/verify-raw.js [N per contender, default 20000]

import { generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { IdentityTokenVerifier, type FetchLike } from '../src/rp/verify.js';
import { median } from './lib/stats.js';

export const GOAL = 0.9;

export interface RawVerifyResult {
  alg: 'ES256' | 'EdDSA';
  bareRate: number;
  verifierRate: number;
  /** Median over rounds of verifier / bare in the same round. */
  ratio: number;
  met: boolean;
}

const ISSUER = 'https://idp.example';
const CLIENT = 'bench-rp';

export async function benchVerifyRaw(options: { n: number; batch: number; tokens: number; log: (s: string) => void }): Promise<RawVerifyResult[]> {
  const results: RawVerifyResult[] = [];
  for (const alg of ['ES256', 'EdDSA'] as const) {
    const { publicKey, privateKey } = alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
    const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg, use: 'sig' };
    const fetch: FetchLike = async (url) =>
      url.endsWith('/.well-known/openid-configuration')
        ? Response.json({ issuer: ISSUER, jwks_uri: `${ISSUER}/jwks.json` })
        : Response.json({ keys: [jwk] });
    const now = Math.floor(Date.now() / 1000);
    const tokens: { token: string; nonce: string }[] = [];
    for (let i = 0; i < options.tokens; i++) {
      const nonce = `n-${i}`;
      const token = await new SignJWT({ iss: ISSUER, aud: CLIENT, sub: 'u1', iat: now, exp: now + 3600, nonce, email: 'user@idp.example', name: 'Bench User' })
        .setProtectedHeader({ alg, kid: 'k1', typ: 'JWT' })
        .sign(privateKey);
      tokens.push({ token, nonce });
    }
    const verifier = new IdentityTokenVerifier({ issuer: ISSUER, clientId: CLIENT, fetch });
    // The floor: the signature alone, the KeyObject in hand, the token split but nothing checked.
    const split = tokens.map(({ token }) => {
      const dot = token.lastIndexOf('.');
      return { input: Buffer.from(token.slice(0, dot)), signature: Buffer.from(token.slice(dot + 1), 'base64url') };
    });
    const key: KeyObject = publicKey;
    const bare = (i: number): void => {
      const t = split[i % split.length]!;
      const ok = alg === 'ES256' ? verify('sha256', t.input, { key, dsaEncoding: 'ieee-p1363' }, t.signature) : verify(null, t.input, key, t.signature);
      if (!ok) throw new Error('bare verify failed');
    };
    const checked = async (i: number): Promise<void> => {
      const t = tokens[i % tokens.length]!;
      await verifier.verify(t.token, { nonce: t.nonce });
    };
    // Warm-up: JIT, discovery, JWKS, the KeyObject.
    for (let i = 0; i < 500; i++) {
      bare(i);
      await checked(i);
    }
    const bareRates: number[] = [];
    const verifierRates: number[] = [];
    const rounds = Math.max(1, Math.round(options.n / options.batch));
    for (let round = 0; round < rounds; round++) {
      const runBare = (): void => {
        const t0 = performance.now();
        for (let i = 0; i < options.batch; i++) bare(i);
        bareRates.push(options.batch / ((performance.now() - t0) / 1000));
      };
      const runVerifier = async (): Promise<void> => {
        const t0 = performance.now();
        for (let i = 0; i < options.batch; i++) {
          const t = tokens[i % tokens.length]!;
          await verifier.verify(t.token, { nonce: t.nonce });
        }
        verifierRates.push(options.batch / ((performance.now() - t0) / 1000));
      };
      if (round % 2 === 0) {
        runBare();
        await runVerifier();
      } else {
        await runVerifier();
        runBare();
      }
    }
    const ratio = median(verifierRates.map((r, i) => r / bareRates[i]!));
    const result: RawVerifyResult = { alg, bareRate: median(bareRates), verifierRate: median(verifierRates), ratio, met: ratio >= GOAL };
    options.log(
      `  ${alg}: crypto.verify ${Math.round(result.bareRate)}/s, IdentityTokenVerifier.verify ${Math.round(result.verifierRate)}/s: ${ratio.toFixed(3)}× (goal ≥ ${GOAL}: ${result.met ? 'met' : 'missed'})`,
    );
    results.push(result);
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 20_000);
  console.log(`RP verification vs bare node:crypto verify, ${n} verifications per contender and algorithm, interleaved batches of 500:`);
  await benchVerifyRaw({ n, batch: 500, tokens: 200, log: (s) => console.log(s) });
}
