// `doctor(configURL, options)`: checks a live IdP the way Chromium will and reports every
// finding. The probes run in the order a sign-in does (discovery, the accounts without and with a
// session, client metadata, the ID assertion and its token, the IdP's protections, sign-out), each
// with what it needs; what cannot run says why (ProbeSkipped) instead of failing silently.

import { checkAccounts, checkLoggedOutAccounts } from './idp/accounts.js';
import { checkAssertion, checkClientMetadata } from './idp/assertion.js';
import { checkDiscovery } from './idp/discovery.js';
import { checkSignOut, establishSession } from './idp/session.js';
import { DoctorContext, type DoctorOptions } from './context.js';
import { finding } from './fixes.js';
import type { DoctorReport, Finding } from './finding.js';

const LEVEL_ORDER = { error: 0, warning: 1, info: 2 } as const;

/** Checks the IdP whose FedCM config is at `configURL`. Never throws for what the IdP answers. */
export async function doctor(configURL: string | URL, options: DoctorOptions = {}): Promise<DoctorReport> {
  const url = parseConfigURL(configURL);
  if (options.clientId !== undefined && options.clientId === '') throw new TypeError('doctor: clientId must not be empty.');
  if (options.rpOrigin !== undefined && !URL.canParse(options.rpOrigin)) throw new TypeError(`doctor: rpOrigin ${JSON.stringify(options.rpOrigin)} is not a URL.`);
  const ctx = new DoctorContext(url, options);
  try {
    const { config } = await checkDiscovery(ctx);
    if (config === undefined) {
      ctx.add(finding('ProbeSkipped', 'info', 'config file', 'The config file is not usable, so the accounts, client metadata and assertion probes did not run.', undefined, 'Fix the config file first: the other probes follow from it.'));
    } else {
      await checkLoggedOutAccounts(ctx, config);
      const signedIn = await establishSession(ctx, config);
      const accounts = signedIn ? await checkAccounts(ctx, config) : undefined;
      const clientId = options.clientId;
      if (clientId === undefined) {
        ctx.add(finding('ProbeSkipped', 'info', 'client metadata endpoint', 'No client id: the client metadata, ID assertion, token and protection probes did not run. Pass --client-id (and --rp-origin, an origin registered for it).'));
      } else {
        await checkClientMetadata(ctx, config, clientId);
        const account = accounts?.[0];
        if (account !== undefined && options.assertion !== false) await checkAssertion(ctx, config, clientId, account);
      }
      if (signedIn) await checkSignOut(ctx);
    }
  } finally {
    await ctx.close();
  }
  const findings = sortFindings(ctx.findings);
  const failing = options.strict === true ? ['error', 'warning'] : ['error'];
  return { ok: !findings.some((f) => failing.includes(f.level)), configURL: url.href, findings, requests: ctx.requests };
}

function parseConfigURL(value: string | URL): URL {
  if (value instanceof URL) return value;
  if (typeof value !== 'string' || !URL.canParse(value)) throw new TypeError(`doctor: ${JSON.stringify(value)} is not a URL; pass the IdP's FedCM config URL, e.g. https://idp.example/fedcm/config.json.`);
  const url = new URL(value);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError(`doctor: the config URL must be https (or http on localhost), not ${url.protocol}.`);
  return url;
}

/** Errors first, then warnings, then information; within a level, in the order found. */
function sortFindings(findings: Finding[]): Finding[] {
  return findings.map((f, i) => ({ f, i })).sort((a, b) => LEVEL_ORDER[a.f.level] - LEVEL_ORDER[b.f.level] || a.i - b.i).map(({ f }) => f);
}
