// WPT credential-management/ files that do not apply to fedkit's agent: the Digital Credentials
// API it does not implement, and the historical FedCM files that lived here before FedCM's tests
// moved to fedcm/ (each names where its scenario lives now, re-expressed under test/conformance/fedcm).

import { notApplicable } from '../wpt.js';

notApplicable(
  'credential-management/digital-identity.https.html',
  'DigitalCredential (the Digital Credentials API, navigator.credentials.get({digital}) / create({digital})) is not implemented by the agent: a `digital` member is reported as an unimplemented credential type (NotSupportedError).',
);

const moved = (from: string, to: string): void =>
  notApplicable(`credential-management/${from}`, `Historical FedCM test; moved upstream to ${to}, which is re-expressed there.`);

// Same file name under fedcm/.
for (const name of [
  'fedcm-abort.https.html',
  'fedcm-after-abort.https.html',
  'fedcm-auto-reauthn-without-approved-clients.https.html',
  'fedcm-auto-selected-flag.https.html',
  'fedcm-basic.https.html',
  'fedcm-client-metadata-not-cached.https.html',
  'fedcm-context.https.html',
  'fedcm-cross-origin-policy.https.html',
  'fedcm-csp.https.html',
  'fedcm-disconnect-errors.https.html',
  'fedcm-disconnect-iframe.sub.https.html',
  'fedcm-disconnect.sub.https.html',
  'fedcm-error-basic.https.html',
  'fedcm-identity-assertion-nocors.https.html',
  'fedcm-iframe.https.html',
  'fedcm-loginhint.https.html',
  'fedcm-manifest-not-in-list.https.html',
  'fedcm-nonce-is-optional.https.html',
  'fedcm-not-observed-by-service-worker.https.html',
  'fedcm-opaque-rp-origin.https.html',
  'fedcm-pending-call-rejected.https.html',
  'fedcm-pending-disconnect.https.html',
  'fedcm-pending-userinfo.https.html',
  'fedcm-returning-account-auto-reauthn.https.html',
  'fedcm-store.https.html',
  'fedcm-token-returned-with-http-error.https.html',
  'fedcm-too-many-disconnect-calls.https.html',
  'fedcm-userinfo.https.html',
  'fedcm-no-login-url.https.html',
  'fedcm-authz/fedcm-continue-on-disallowed.https.html',
  'fedcm-authz/fedcm-continue-on.https.html',
  'fedcm-authz/fedcm-disclosure-text-shown.https.html',
  'fedcm-authz/fedcm-userinfo-after-resolve.https.html',
  'fedcm-login-status/confirm-idp-login.https.html',
  'fedcm-login-status/cross-origin-status.https.html',
  'fedcm-login-status/logged-out.https.html',
  'fedcm-multi-idp/fedcm-multi-idp-basic.https.html',
  'fedcm-multi-idp/fedcm-multi-idp-mediation-optional.https.html',
  'fedcm-multi-idp/fedcm-multi-idp-mediation-silent.https.html',
  'fedcm-register/fedcm-no-registered-idps.https.html',
  'fedcm-button-and-other-account/fedcm-button-mode-basics.tentative.https.html',
  'fedcm-button-and-other-account/fedcm-use-other-account-button-flow.tentative.https.html',
  'fedcm-button-and-other-account/fedcm-use-other-account.tentative.https.html',
]) {
  moved(name, `fedcm/${name}`);
}

// Renamed or split.
moved('fedcm-account-auto-selected-flag.https.html', 'fedcm/fedcm-auto-selected-flag.https.html');
moved('fedcm-identity-credential-auto-selected-flag.https.html', 'fedcm/fedcm-auto-selected-flag.https.html');
moved('fedcm-button-mode-basics.https.html', 'fedcm/fedcm-button-and-other-account/fedcm-button-mode-basics.tentative.https.html');
moved(
  'fedcm-domainhint.https.html',
  'fedcm/fedcm-domainhint-any, fedcm-domainhint-matches-account, fedcm-domainhint-matches-from-two-accounts and fedcm-no-domainhint-matches-account (.https.html)',
);
moved(
  'fedcm-hosteddomain.https.html',
  'the fedcm/fedcm-domainhint-*.https.html files (the accounts field hosted_domains became domain_hints, the request member hostedDomain became domainHint)',
);
moved(
  'fedcm-endpoint-redirects.https.html',
  'fedcm/fedcm-accounts-endpoint-rejects-redirects.https.html and fedcm/fedcm-token-endpoint-rejects-redirects.https.html',
);
moved('fedcm-same-site-none/fedcm-same-site-none.https.html', 'fedcm/fedcm-same-site-none.https.html');
moved('fedcm-revoke.https.html', 'fedcm/fedcm-disconnect.sub.https.html (IdentityCredential.revoke() became disconnect())');
moved('fedcm-revoke.sub.https.html', 'fedcm/fedcm-disconnect.sub.https.html (IdentityCredential.revoke() became disconnect())');
moved('fedcm-revoke-iframe.sub.https.html', 'fedcm/fedcm-disconnect-iframe.sub.https.html (IdentityCredential.revoke() became disconnect())');
moved(
  'fedcm-network-requests.https.html',
  'the single-scenario fedcm/ files it was split into (fedcm-basic, fedcm-manifest-not-in-list, fedcm-no-login-url, fedcm-token-returned-with-http-error, fedcm-context, fedcm-store, …)',
);
moved(
  'fedcm-network-requests.sub.https.html',
  'the single-scenario fedcm/ files it was split into (fedcm-basic, fedcm-manifest-not-in-list, fedcm-no-login-url, fedcm-token-returned-with-http-error, fedcm-context, fedcm-store, …)',
);
moved(
  'fedcm-button-and-other-account/fedcm-button-mode-priority.tentative.https.html',
  'fedcm/fedcm-button-and-other-account/ (fedcm-active-replaces-passive, fedcm-active-cannot-replace-active, fedcm-passive-cannot-replace-active, fedcm-passive-after-active)',
);

// APIs and experiments FedCM dropped.
const dropped = (path: string, why: string): void => notApplicable(`credential-management/${path}`, `Historical FedCM test, removed upstream: ${why}`);
dropped('fedcm-logout-rps.https.html', 'IdentityCredential.logoutRPs() was removed from FedCM; no successor.');
dropped('fedcm-logout.https.html', 'the IdP-initiated RP logout API (the predecessor of logoutRPs()) was removed from FedCM; no successor.');
dropped('fedcm-logout.sub.https.html', 'the IdP-initiated RP logout API (the predecessor of logoutRPs()) was removed from FedCM; no successor.');
dropped('fedcm.https.html', "the first FedCM test file, written against the early prototype API; today's flow is fedcm/fedcm-basic.https.html.");
dropped('webid.https.html', "WebID, FedCM's former name and API; today's flow is fedcm/fedcm-basic.https.html.");
dropped('fedcm-login-status-unknown.https.html', 'an early Login Status check, removed upstream; the Login Status tests are fedcm/fedcm-login-status/*.');
for (const name of [
  'abort-multiple-gets-through-first-idp',
  'abort-multiple-gets-through-second-idp',
  'get-before-and-after-onload',
  'get-before-and-during-onload',
  'get-before-onload-and-during-dom-content-loaded',
  'multiple-gets-after-abort',
  'multiple-gets-after-onload',
  'multiple-gets-before-onload',
  'multiple-gets-during-onload',
  'single-get-after-onload',
  'single-get-before-onload',
  'single-get-during-onload',
]) {
  dropped(
    `fedcm-multi-idp/${name}.https.html`,
    'Chromium\'s experiment that merged several get() calls made around page load into one dialog was removed; several IdPs are one get() with several providers (fedcm/fedcm-multi-idp/*).',
  );
}
