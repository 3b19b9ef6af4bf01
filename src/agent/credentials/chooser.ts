// Credential Management §5.3 "ask the user to choose a Credential": the credential chooser over
// the credentials collected from the store, through the same dialog surface as FedCM.

import { formatSite } from '../mediation/format-site.js';
import type { CredentialChooserEntry } from '../mediation/dialog.js';
import type { Credential } from './contract/credential.js';
import { FederatedCredential, federatedChooserEntry } from './federated.js';
import { PasswordCredential, passwordChooserEntry } from './password.js';
import type { CredentialContext } from './contract/credential-type.js';

/** How a collected credential appears in the chooser (name, icon, provider; never a password). */
export function chooserEntry(credential: Credential): CredentialChooserEntry {
  if (credential instanceof PasswordCredential) return passwordChooserEntry(credential);
  if (credential instanceof FederatedCredential) return federatedChooserEntry(credential);
  throw new TypeError(`The credential chooser cannot show a ${credential.type} credential.`);
}

/**
 * Shows the chooser and resolves with the user's pick (and whether "stay signed in" was ticked),
 * or null when the user closes it. The page's abort closes it and rejects with the reason.
 */
export async function askToChoose(ctx: CredentialContext, credentials: readonly Credential[]): Promise<{ credential: Credential; staySignedIn: boolean } | null> {
  const answer = await ctx.core.dialogs.ask(
    {
      dialogType: 'CredentialChooser',
      // CM §5.3: the chooser MUST show the requesting origin.
      title: `Sign in to ${formatSite(ctx.origin)}`,
      accounts: [],
      origin: ctx.origin,
      credentials: credentials.map(chooserEntry),
    },
    ctx.signal,
  );
  if (answer.action !== 'selectAccount') return null;
  const credential = credentials[answer.accountIndex];
  return credential ? { credential, staySignedIn: answer.staySignedIn ?? false } : null;
}
