import type { IdpContext } from '../context.js';
import { json, type IdpReply, type IdpRequest } from '../http.js';
import { requireWebIdentity } from '../request-checks.js';

/**
 * FedCM §"The config file" (IdentityProviderAPIConfig; checklist §1.5 step 7, Chromium §1.5).
 * Every URL is absolute and same-origin with the config URL, as both the spec ("compute the
 * manifest URL") and Chromium require; `login_url` is always present (Chromium rejects a config
 * without it). `supports_use_other_account` is written in the new top-level syntax Chromium
 * reads by default and in the older `modes` syntax.
 */
export async function config(ctx: IdpContext, request: IdpRequest): Promise<IdpReply> {
  requireWebIdentity(request);
  const body: Record<string, unknown> = {
    accounts_endpoint: ctx.urls.accounts,
    client_metadata_endpoint: ctx.urls.clientMetadata,
    id_assertion_endpoint: ctx.urls.assertion,
    disconnect_endpoint: ctx.urls.disconnect,
    login_url: ctx.urls.login,
  };
  if (ctx.settings.branding !== undefined) body.branding = ctx.settings.branding;
  if (ctx.settings.supportsUseOtherAccount) {
    body.supports_use_other_account = true;
    body.modes = { active: { supports_use_other_account: true }, passive: { supports_use_other_account: true } };
  }
  return json(body, { headers: { 'cache-control': 'public, max-age=300' } });
}
