// The end of a sign-in: what a mode returns (a credential or the error), put into the report
// and printed, with the token's JWT header and claims decoded (not verified).

import { formatDiagnostic, type Credential } from '../../agent/index.js';
import { causeOf, errorMessage, errorName, type Log, type SigninReport } from './reporter.js';

/** What a mode ends with: the credential the page received, or why there is none. */
export type Outcome = { credential: Credential } | { error: unknown };

/** A JWT's header and claims, decoded (base64url JSON), without any verification. */
export function decodeJwt(token: unknown): { header: Record<string, unknown>; claims: Record<string, unknown> } | undefined {
  if (typeof token !== 'string') return undefined;
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const decode = (s: string): unknown => JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
    const header = decode(parts[0]!);
    const claims = decode(parts[1]!);
    if (header === null || typeof header !== 'object' || claims === null || typeof claims !== 'object' || Array.isArray(claims)) return undefined;
    return { header: header as Record<string, unknown>, claims: claims as Record<string, unknown> };
  } catch {
    return undefined;
  }
}

/** Seconds-since-epoch claims, with their date. */
const TIME_CLAIMS = new Set(['iat', 'exp', 'nbf', 'auth_time']);

/** Prints the result; 0 when a credential was returned. */
export function finish(outcome: Outcome, log: Log): number {
  const { style, report } = log;
  if ('error' in outcome) {
    const e = outcome.error;
    const diagnostic = causeOf(e);
    report.error = { name: errorName(e), message: errorMessage(e), ...(diagnostic ? { diagnostic } : {}) };
    report.issue = diagnostic?.issue ?? [...report.diagnostics].reverse().find((d) => d.issue !== null)?.issue ?? null;
    log.line('');
    log.line(`${style.red('✖ Sign-in failed:')} ${errorName(e)}: ${errorMessage(e)}`);
    // The cause says why (Chrome shows it in the console); otherwise the last error diagnostic.
    const why = diagnostic ?? [...report.diagnostics].reverse().find((d) => d.level === 'error');
    if (why) log.line(`  ${formatDiagnostic(why)}`);
    if (why && (why.reason === 'NotSignedInWithIdp' || why.reason === 'AccountsListEmpty')) {
      log.line(
        `  ${style.dim(`Hint: the user is not signed in at the IdP in this profile. Sign in there first and keep the session with --profile <file>${report.mode === 'page' ? ", or click the page's sign-in button (--click <selector>): active mode opens the IdP's login page" : ', or try --mode active, which opens the IdP\'s login page'}.`)}`,
      );
    }
    return 1;
  }
  const c = outcome.credential as Credential & { token?: unknown; isAutoSelected?: boolean; configURL?: string; name?: string };
  const credential: NonNullable<SigninReport['credential']> = { type: c.type, id: c.id };
  if ('token' in c) credential.token = c.token;
  if (typeof c.isAutoSelected === 'boolean') credential.isAutoSelected = c.isAutoSelected;
  if (typeof c.configURL === 'string') credential.configURL = c.configURL;
  const jwt = decodeJwt(c.token);
  if (jwt) credential.jwt = { ...jwt, verified: false };
  report.credential = credential;
  report.ok = true;
  log.line('');
  log.line(`${style.green('✔ Signed in:')} ${c.constructor.name} (type ${c.type}${c.id ? `, id ${c.id}` : ''}${credential.configURL ? `, configURL ${credential.configURL}` : ''}${credential.isAutoSelected ? ', auto-selected' : ''})`);
  if (report.account) log.line(`  account: ${report.account.name || report.account.email} ${report.account.email ? `<${report.account.email}> ` : ''}(${report.account.accountId})`);
  if ('token' in credential) log.line(`  token: ${typeof credential.token === 'string' ? credential.token : JSON.stringify(credential.token)}`);
  if (jwt) {
    log.line(`  JWT header: ${JSON.stringify(jwt.header)}`);
    log.line(`  JWT claims ${style.yellow('(decoded only: the signature was NOT verified)')}:`);
    for (const [k, v] of Object.entries(jwt.claims)) {
      const date = TIME_CLAIMS.has(k) && typeof v === 'number' ? style.dim(`  (${new Date(v * 1000).toISOString()})`) : '';
      log.line(`    ${k}: ${JSON.stringify(v)}${date}`);
    }
  }
  return 0;
}
