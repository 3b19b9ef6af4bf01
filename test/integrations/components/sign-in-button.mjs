// A small sign-in component, plain DOM, as a front end would write it: a button whose click asks
// for an IdP token in FedCM's active mode, then shows the user's name from the token's claims, or
// what went wrong. It uses the page's globals only (navigator.credentials, IdentityCredential,
// IdentityCredentialError, DOMException), so its `instanceof` checks are the realm test: the
// Vitest and the Jest test (test/integrations/vitest, test/integrations/jest) both mount it.

/** The payload of a JWT (base64url JSON), decoded as UTF-8 without TextDecoder (Jest's jsdom has none). */
function claimsOf(jwt) {
  const payload = jwt.split('.')[1] ?? '';
  const bytes = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
  return JSON.parse(decodeURIComponent(Array.from(bytes, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join('')));
}

/** Mounts the component in `root`; `provider` is `{ configURL, clientId }`. */
export function mountSignIn(root, provider) {
  const button = root.ownerDocument.createElement('button');
  button.type = 'button';
  button.textContent = 'Sign in with your IdP';
  const status = root.ownerDocument.createElement('p');
  status.setAttribute('role', 'status');
  root.append(button, status);

  button.addEventListener('click', async () => {
    button.disabled = true;
    status.textContent = 'Signing in…';
    try {
      const credential = await navigator.credentials.get({ identity: { mode: 'active', providers: [provider] } });
      if (!(credential instanceof IdentityCredential)) throw new TypeError(`expected an IdentityCredential, got ${credential}`);
      status.textContent = `Signed in as ${claimsOf(credential.token).name}`;
    } catch (e) {
      if (e instanceof IdentityCredentialError) status.textContent = `Your identity provider refused: ${e.error}`;
      else if (e instanceof DOMException && e.name === 'NetworkError') status.textContent = 'Sign-in did not complete.';
      else status.textContent = `Sign-in failed: ${e}`;
    } finally {
      button.disabled = false;
    }
  });
  return { button, status };
}
