// The accounts endpoint (FedCM §3.3 "Fetch the accounts"), twice: as a logged-out user's browser
// asks (no cookie: Chrome treats a non-2xx answer or an empty list as logged out, and accounts
// here would be readable by anyone), and as the signed-in user's (every account's fields, ids,
// pictures, approved_clients, and the cookies that were or were not sent).

import type { IdentityProviderAccount, IdpConfig } from '../../agent/index.js';
import type { DoctorContext } from '../context.js';
import { finding } from '../fixes.js';

/** Largest account picture the doctor lets pass without a warning. */
const LARGE_PICTURE = 256 * 1024;

/** The logged-out probe: no cookies at all. */
export async function checkLoggedOutAccounts(ctx: DoctorContext, config: IdpConfig): Promise<void> {
  ctx.step('accounts endpoint (logged out)');
  const probe = await ctx.probe(false);
  const step = await probe.accounts(config);
  const url = config.accountsEndpoint.href;
  if (step.result !== undefined && step.result.length > 0) {
    ctx.add(
      finding(
        'AccountsServedWithoutSession',
        'error',
        'accounts endpoint',
        `${url} returned ${step.result.length} account(s) (${step.result.map((a) => a.email ?? a.id).join(', ')}) to a request without any cookie.`,
        url,
      ),
    );
    return;
  }
  ctx.add(finding('AccountsLoggedOutAnswer', 'info', 'accounts endpoint', `Without a session, ${url} answers as Chrome expects of a logged-out user (${step.failure?.reason ?? 'no accounts'}).`, url));
}

/** The signed-in probe: returns the accounts (filtered by nothing) for the later probes. */
export async function checkAccounts(ctx: DoctorContext, config: IdpConfig): Promise<IdentityProviderAccount[] | undefined> {
  ctx.step('accounts endpoint');
  const probe = await ctx.probe(true);
  const step = await probe.accounts(config);
  const url = config.accountsEndpoint.href;
  // A withheld cookie matters when the accounts did not come; otherwise it was not the session's.
  for (const w of step.warnings) {
    if (w.reason !== 'CookieNotSent') ctx.addDiagnostic(w);
    else if (step.result === undefined) ctx.addDiagnostic(w, 'error');
    else ctx.addDiagnostic(w, 'info', 'Nothing to fix: the accounts came without it, so it is not the session cookie (a CSRF cookie, say).');
  }
  if (step.failure) {
    ctx.addDiagnostic(step.failure, 'error');
    return undefined;
  }
  const accounts = step.result ?? [];
  const raw = await rawAccounts(ctx, url);
  for (const account of accounts) {
    const original = raw.get(account.id);
    const picture = original?.['picture'];
    if (typeof picture === 'string' && picture !== '' && !URL.canParse(picture)) {
      ctx.add(finding('AccountPictureRelative', 'warning', 'account picture', `The picture of account ${JSON.stringify(account.id)} is the relative URL ${JSON.stringify(picture)}.`, url));
    }
    const clientId = ctx.options.clientId;
    if (clientId !== undefined) {
      if (account.approved_clients === undefined) {
        ctx.add(finding('AccountWithoutApprovedClients', 'info', 'accounts endpoint', `Account ${JSON.stringify(account.id)} has no "approved_clients".`, url));
      } else if (!account.approved_clients.includes(clientId)) {
        ctx.add(finding('AccountApprovedClientsExcludesClient', 'info', 'accounts endpoint', `Account ${JSON.stringify(account.id)}'s approved_clients (${JSON.stringify(account.approved_clients)}) does not include ${JSON.stringify(clientId)}: Chrome shows it as a sign-up.`, url));
      }
    }
  }

  ctx.step('account pictures');
  const pictures = await probe.pictures(config, accounts);
  for (const w of pictures.warnings) ctx.addDiagnostic(w);
  for (const [href, picture] of pictures.result ?? []) {
    if (!picture.contentType.toLowerCase().startsWith('image/')) {
      ctx.add(finding('AccountPictureNotImage', 'warning', 'account picture', `${href} is served as ${JSON.stringify(picture.contentType)}.`, href));
    }
    if (picture.bytes.byteLength > LARGE_PICTURE) {
      ctx.add(finding('AccountPictureTooLarge', 'warning', 'account picture', `${href} is ${Math.round(picture.bytes.byteLength / 1024)} KiB.`, href));
    }
  }
  return accounts;
}

/** The accounts as the IdP wrote them (the agent drops what Chrome drops), by id. */
async function rawAccounts(ctx: DoctorContext, url: string): Promise<Map<string, Record<string, unknown>>> {
  const out = new Map<string, Record<string, unknown>>();
  try {
    const cookies = await ctx.agent.cookies.list(new URL(url));
    const res = await ctx.raw.fetch('accounts endpoint', url, {
      headers: { accept: 'application/json', 'sec-fetch-dest': 'webidentity', 'sec-fetch-mode': 'no-cors', 'sec-fetch-site': 'none', ...(cookies.length > 0 ? { cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; ') } : {}) },
    });
    const body = JSON.parse(res.body) as { accounts?: unknown };
    if (Array.isArray(body.accounts)) {
      for (const a of body.accounts) if (a !== null && typeof a === 'object' && typeof (a as { id?: unknown }).id === 'string') out.set((a as { id: string }).id, a as Record<string, unknown>);
    }
  } catch {
    // The agent's probe already said what is wrong with the endpoint.
  }
  return out;
}
