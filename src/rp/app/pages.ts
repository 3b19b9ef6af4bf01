// The reference RP's HTML: one product page, server-rendered, with the sign-in script.

import type { RpUser } from './store.js';

const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** "Dee Demo" → "DD": the avatar when the IdP shares no picture. */
const initials = (name: string): string =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => [...w][0]?.toUpperCase() ?? '')
    .join('');

/** JSON inside <script type="application/json">: nothing in it may close the element. */
const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');

const CSS = `
:root { --ink:#1d2433; --muted:#5b6478; --line:#e3e7ef; --brand:#3b5bdb; --brand-ink:#fff; --bg:#f6f8fc; }
* { box-sizing: border-box; }
body { margin:0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color:var(--ink); background:var(--bg); }
header { display:flex; align-items:center; justify-content:space-between; padding:18px 32px; background:#fff; border-bottom:1px solid var(--line); }
.logo { font-weight:700; font-size:20px; letter-spacing:-.02em; } .logo span { color:var(--brand); }
main { max-width:880px; margin:48px auto; padding:0 24px; }
.hero h1 { font-size:40px; line-height:1.15; margin:0 0 12px; letter-spacing:-.03em; }
.hero p { color:var(--muted); font-size:18px; margin:0 0 28px; max-width:560px; }
.card { background:#fff; border:1px solid var(--line); border-radius:14px; padding:28px; box-shadow:0 1px 2px rgba(16,24,40,.04); }
.btn { display:inline-flex; align-items:center; gap:10px; border:1px solid var(--line); background:#fff; color:var(--ink); border-radius:10px; padding:11px 18px; font:inherit; font-weight:600; cursor:pointer; }
.btn.primary { background:var(--brand); border-color:var(--brand); color:var(--brand-ink); }
.btn.danger { color:#b42318; }
.row { display:flex; gap:12px; flex-wrap:wrap; align-items:center; }
.profile { display:flex; gap:18px; align-items:center; margin-bottom:22px; }
.profile img, .avatar { width:56px; height:56px; border-radius:50%; background:var(--line); }
.avatar { display:flex; align-items:center; justify-content:center; font-weight:700; font-size:20px; color:var(--brand); background:#eef2ff; }
.profile .name { font-weight:700; font-size:20px; } .profile .email { color:var(--muted); }
.badge { display:inline-block; font-size:12px; font-weight:600; padding:2px 8px; border-radius:999px; background:#eef2ff; color:var(--brand); margin-left:8px; vertical-align:middle; }
.note { color:var(--muted); font-size:14px; margin-top:18px; }
.error { color:#b42318; margin-top:14px; min-height:1.5em; }
footer { text-align:center; color:var(--muted); font-size:13px; margin:48px 0; }
`;

export interface PageModel {
  appName: string;
  idpName: string;
  configURL: string;
  clientId: string;
  nonce: string;
  user?: RpUser;
  /** "signed-up" right after the first sign-in, "signed-in" afterwards. */
  welcome?: 'signed-up' | 'signed-in';
}

export function homePage(m: PageModel): string {
  const config = { configURL: m.configURL, clientId: m.clientId, nonce: m.nonce, signedIn: m.user !== undefined, subject: m.user?.subject ?? null };
  const body = m.user
    ? `<section class="card">
        <div class="profile">
          ${m.user.picture ? `<img src="${esc(m.user.picture)}" alt="">` : `<div class="avatar" aria-hidden="true">${esc(initials(m.user.name ?? m.user.email ?? '?'))}</div>`}
          <div><div class="name">${esc(m.user.name ?? m.user.email ?? m.user.subject)}${m.welcome === 'signed-up' ? '<span class="badge">New account</span>' : ''}</div>
          <div class="email">${esc(m.user.email ?? '')}</div></div>
        </div>
        <p>You are signed in to ${esc(m.appName)} with ${esc(m.idpName)}.</p>
        <div class="row">
          <form method="post" action="/signout" id="signout"><button class="btn" type="submit">Sign out</button></form>
          <button class="btn danger" id="disconnect" type="button">Disconnect ${esc(m.idpName)}</button>
        </div>
        <p class="error" id="error" role="alert"></p>
      </section>`
    : `<section class="hero">
        <h1>Notes that follow you everywhere.</h1>
        <p>${esc(m.appName)} keeps your notes in sync across devices. Sign in with your ${esc(m.idpName)} account: no new password to remember.</p>
        <button class="btn primary" id="signin" type="button">Sign in with ${esc(m.idpName)}</button>
        <p class="error" id="error" role="alert"></p>
        <p class="note">Signing in uses your browser's federated sign-in (FedCM). ${esc(m.idpName)} shares your name, email and picture with ${esc(m.appName)}.</p>
      </section>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(m.appName)}</title>
<style>${CSS}</style>
</head>
<body>
<header><div class="logo">${esc(m.appName.split(' ')[0] ?? m.appName)}<span>${esc(m.appName.split(' ').slice(1).join(' '))}</span></div>${m.user ? `<div>${esc(m.user.email ?? '')}</div>` : ''}</header>
<main>${body}</main>
<footer>A fedkit reference relying party.</footer>
<script type="application/json" id="fedkit-config">${scriptJson(config)}</script>
<script type="module">
import { signIn, signOut, disconnect } from '/fedkit/browser.js';
const cfg = JSON.parse(document.getElementById('fedkit-config').textContent);
const error = document.getElementById('error');
const provider = { configURL: cfg.configURL, clientId: cfg.clientId, nonce: cfg.nonce };
async function finish(result, quiet) {
  if (result.status === 'signed-in') {
    const res = await fetch('/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: result.token }) });
    if (res.ok) { location.reload(); return; }
    const body = await res.json().catch(() => ({}));
    error.textContent = body.error?.message ?? 'Sign-in failed on the server.';
  } else if (result.status === 'unsupported') {
    if (!quiet) error.textContent = 'This browser does not support federated sign-in (FedCM).';
  } else if (!quiet) {
    error.textContent = result.error.message;
  }
}
if (!cfg.signedIn) {
  signIn({ ...provider, mode: 'passive' }).then((r) => finish(r, true));
  document.getElementById('signin').addEventListener('click', () => signIn({ ...provider, mode: 'active', context: 'signin' }).then((r) => finish(r, false)));
} else {
  document.getElementById('signout').addEventListener('submit', async (event) => { event.preventDefault(); await signOut(); event.target.submit(); });
  document.getElementById('disconnect').addEventListener('click', async () => {
    const r = await disconnect({ configURL: cfg.configURL, clientId: cfg.clientId, accountHint: cfg.subject });
    if (!r.ok) error.textContent = r.error.message;
    await fetch('/disconnect', { method: 'POST' });
    location.reload();
  });
}
</script>
</body>
</html>`;
}
