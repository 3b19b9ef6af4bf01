// The platform's floor for signing: ES256 JWTs with the IdP's claims, in a loop, for a fixed
// time. `jose`: jose's SignJWT with a CryptoKey (what the IdP kit uses; WebCrypto), awaited one
// after another. `node`: node:crypto's synchronous sign() over the same JWS signing input.

import { generateKeyPairSync, sign } from 'node:crypto';
import { generateKeyPair, SignJWT } from 'jose';
import { serveChild } from '../lib/child.js';

export interface SignResult {
  rate: number;
  count: number;
  seconds: number;
}

const { privateKey: nodeKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const { privateKey: cryptoKey } = await generateKeyPair('ES256');
const claims = (i: number): Record<string, string | number> => {
  const iat = Math.floor(Date.now() / 1000);
  return { name: 'Bench User', given_name: 'Bench', email: 'bench@idp.example', iss: 'https://idp.example', sub: 'bench-user', aud: 'bench-rp', iat, exp: iat + 600, nonce: `n-${i}` };
};
const header = { alg: 'ES256', kid: 'bench-key-id-0123456789abcdef0123456789abcdef', typ: 'JWT' };
const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');

async function loop(mode: 'jose' | 'node', ms: number): Promise<number> {
  const end = performance.now() + ms;
  let n = 0;
  while (performance.now() < end) {
    for (let k = 0; k < 20; k++, n++) {
      if (mode === 'jose') {
        await new SignJWT(claims(n)).setProtectedHeader(header).sign(cryptoKey);
      } else {
        const input = `${b64(header)}.${b64(claims(n))}`;
        const sig = sign('sha256', Buffer.from(input), { key: nodeKey, dsaEncoding: 'ieee-p1363' });
        if (`${input}.${sig.toString('base64url')}`.length === 0) throw new Error('unreachable');
      }
    }
  }
  return n;
}

serveChild({
  run: async ({ mode, seconds }: { mode: 'jose' | 'node'; seconds: number }): Promise<SignResult> => {
    await loop(mode, 300); // warm-up
    const t0 = performance.now();
    const count = await loop(mode, seconds * 1000);
    const elapsed = (performance.now() - t0) / 1000;
    return { rate: count / elapsed, count, seconds: elapsed };
  },
});
