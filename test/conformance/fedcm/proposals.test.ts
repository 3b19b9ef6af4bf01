// WPT fedcm/ files for proposals beyond the FedCM spec that fedkit's agent does not implement.
// Each is a separate incubation, off by default in Chromium (behind its own feature flag), and
// not part of w3c-fedid/FedCM; the reason names the proposal.

import { notApplicable } from '../wpt.js';

notApplicable(
  'fedcm/fedcm-register/fedcm-no-registered-idps.https.html',
  'IdP registration (IdentityProvider.register() and configURL: "any"): a FedCM proposal, not in the FedCM spec and default-off in Chromium (FedCmIdPRegistration). Without it, configURL "any" is not an absolute URL, so the agent rejects with InvalidStateError (as Chromium does by default), not the NetworkError this test expects.',
);

notApplicable(
  'fedcm/fedcm-storage-access-api-autogrant.tentative.https.sub.html',
  'Storage Access API autogrant for FedCM-connected accounts: the agent has no Storage Access API (document.requestStorageAccess / hasStorageAccess) nor third-party cookie blocking; the autogrant is a proposal not in the FedCM spec.',
);

notApplicable(
  'fedcm/fedcm-navigation-interception/continue-on-redirect-POST.https.html',
  'FedCM navigation interception (the IdP response header FedCM-Intercept-Navigation that turns a navigation into a FedCM flow, then a POST redirect from IdentityProvider.resolve): a Chromium proposal, not in the FedCM spec and default-off in Chromium; the agent does not implement it.',
);

notApplicable(
  'fedcm/fedcm-delegation/evt-basic.https.html',
  'Email Verification Tokens / delegation (the email-verification-protocol proposal: autocomplete="email-verification-token" form autofill, SD-JWT issuance): not in the FedCM spec and default-off in Chromium; the agent does not implement it.',
);

// Lightweight FedCM / accounts push (fedidcg/LightweightFedCM).
const LIGHTWEIGHT =
  'Lightweight FedCM (fedidcg/LightweightFedCM: accounts pushed with navigator.login.setStatus("logged-in", {accounts}), IdentityCredential create()/store()/discovery by origin and loginURL): a proposal not in the FedCM spec and default-off in Chromium; the agent does not implement it';
notApplicable('fedcm/fedcm-accounts-push/fedcm-accounts-push-basic.tentative.https.html', `${LIGHTWEIGHT}.`);
notApplicable('fedcm/fedcm-accounts-push/fedcm-accounts-push-caches-pictures.tentative.https.html', `${LIGHTWEIGHT} (pictures fetched when accounts are pushed).`);
notApplicable('fedcm/fedcm-accounts-push/store-account-list.tentative.https.html', `${LIGHTWEIGHT} (the setStatus() options dictionary).`);
notApplicable('fedcm/fedcm-accounts-push/fedcm-identity-create-store-collect.tentative.sub.https.html', `${LIGHTWEIGHT}.`);
notApplicable('fedcm/fedcm-accounts-push/fedcm-identity-discovery.tentative.sub.https.html', `${LIGHTWEIGHT}.`);
