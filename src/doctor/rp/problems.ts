// The page's own problems, as runScripts reports them (an uncaught error or rejection, a script or
// module that could not load, a request of the page that failed), and what the run could not
// check (a click target that never appeared, the deadline, endless navigations).

import type { Diagnostic } from '../../agent/index.js';
import type { Finding } from '../finding.js';
import { rpFinding } from './findings.js';
import type { Observation } from './observe.js';

/** At most this many script errors are listed; the last one says how many more there were. */
const MAX_SCRIPT_ERRORS = 10;

/** RpScriptError for each distinct problem runScripts reported (warnings and errors). */
export function scriptErrorFindings(problems: readonly Diagnostic[]): Finding[] {
  const distinct = new Map<string, Diagnostic>();
  for (const d of problems) distinct.set(`${d.message} ${d.detail}`, d);
  const findings = [...distinct.entries()].slice(0, MAX_SCRIPT_ERRORS).map(([seen, d]) => {
    // A get() the page does not catch: the failure a user without a session at the IdP meets too.
    const uncaughtGet = /Uncaught \(in promise\) (NetworkError|NotAllowedError|IdentityCredentialError)/.test(d.detail);
    return rpFinding('RpScriptError', seen, {
      ...(d.url === undefined ? {} : { url: d.url }),
      ...(uncaughtGet ? { fix: 'Catch the rejection of navigator.credentials.get(): it rejects whenever the user has no session at the IdP or says no.' } : {}),
    });
  });
  const more = distinct.size - findings.length;
  const last = findings.at(-1);
  if (more > 0 && last) last.seen += ` (and ${more} more distinct script error${more === 1 ? '' : 's'})`;
  return findings;
}

/** ProbeSkipped for what the run could not check, with the reason. */
export function skippedFindings(obs: Observation, settleMs: number): Finding[] {
  const findings: Finding[] = [];
  const url = obs.documents.at(-1)?.frame.url.href;
  const at = url === undefined ? {} : { url };
  if (obs.click && !obs.click.clicked && obs.cutShort === undefined) {
    findings.push(
      rpFinding('ProbeSkipped', `No element matched the click selector ${obs.click.selector} within ${settleMs} ms after the page settled, so the button-driven sign-in was not checked.`, {
        ...at,
        fix: "Pass the selector of the page's sign-in button (it must match once the page's scripts have run).",
      }),
    );
  }
  if (obs.cutShort !== undefined) {
    findings.push(
      rpFinding('ProbeSkipped', `The run reached its timeout before the page settled: ${obs.cutShort}. What the page does after that was not checked.`, {
        ...at,
        fix: 'Raise timeoutMs, or find what keeps the page busy (a request that never ends, a polling loop).',
      }),
    );
  }
  if (obs.navigationsStopped !== undefined) {
    findings.push(rpFinding('ProbeSkipped', obs.navigationsStopped, { ...at, fix: 'Point the doctor at the page that calls FedCM itself.' }));
  }
  return findings;
}
