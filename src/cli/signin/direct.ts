// Direct mode (--config-url and --client-id): fedkit itself calls navigator.credentials.get()
// on the RP page, with the options from the command line; the page's scripts do not run.

import type { Agent } from '../../agent/index.js';
import { open } from './open.js';
import type { Settings } from './options.js';
import { describeCall, errorMessage, errorName, type Log } from './reporter.js';
import type { Outcome } from './result.js';

/** --config-url: get() called directly on the page, no scripts. */
export async function direct(agent: Agent, s: Settings, log: Log, signal: AbortSignal): Promise<Outcome> {
  const d = s.direct!;
  const frame = await open(agent, s.url, log, signal);
  const credentials = frame.navigator.credentials;
  if (credentials === undefined) {
    return { error: new DOMException(`${frame.url.href} is not a secure context: navigator.credentials is undefined there.`, 'NotSupportedError') };
  }
  const identity: Record<string, unknown> = { providers: [d.provider] };
  if (d.context !== undefined) identity['context'] = d.context;
  if (d.mode !== undefined) identity['mode'] = d.mode;
  const options: Record<string, unknown> = { identity, signal };
  if (d.mediation !== undefined) options['mediation'] = d.mediation;
  if (d.mode === 'active') {
    // Active mode needs transient activation: the command stands for the user's click.
    frame.activate();
  }
  const call = describeCall('get', options);
  log.report.calls.push({ method: 'get', options: { ...options, signal: undefined } });
  log.step(`The page calls ${call}`);
  log.progress.start('waiting for navigator.credentials.get()');
  try {
    const credential = await credentials.get(options);
    log.report.calls[0]!.outcome = credential ? 'credential' : 'null';
    if (!credential) return { error: new DOMException('get() resolved with null.', 'NotAllowedError') };
    return { credential };
  } catch (e) {
    log.report.calls[0]!.outcome = `${errorName(e)}: ${errorMessage(e)}`;
    if (signal.aborted) throw signal.reason;
    return { error: e };
  } finally {
    log.progress.stop();
  }
}
