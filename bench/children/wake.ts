// What waking up costs on this machine (the one-by-one sign-in figures, issue 15 §3): the same
// CPU-only work, an ES256 signature with node:crypto, timed back to back and right after the
// process sat idle as long as the one-by-one mode idles between sign-ins. On a VM an idle vCPU
// is given back to the host, and the first work after it runs on cold caches (and whatever else
// the host did meanwhile); every contender of the one-by-one mode starts its sign-in that way.

import { generateKeyPairSync, sign } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { serveChild } from '../lib/child.js';
import { median } from '../lib/stats.js';

export interface WakeProbe {
  idleMs: number;
  /** Median µs of one signature, back to back. */
  backToBackUs: number;
  /** Median µs of one signature, the first after `idleMs` of idle time. */
  afterIdleUs: number;
  samples: number;
}

const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const data = Buffer.alloc(400, 'x');

function signOnce(): number {
  const t0 = performance.now();
  sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return (performance.now() - t0) * 1000;
}

serveChild({
  probe: async ({ idleMs, samples }: { idleMs: number; samples: number }): Promise<WakeProbe> => {
    for (let i = 0; i < 200; i++) signOnce();
    const backToBack = Array.from({ length: samples }, signOnce);
    const afterIdle: number[] = [];
    for (let i = 0; i < samples; i++) {
      await sleep(idleMs);
      afterIdle.push(signOnce());
    }
    return { idleMs, backToBackUs: median(backToBack), afterIdleUs: median(afterIdle), samples };
  },
});
