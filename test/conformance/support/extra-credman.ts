// Support for the re-expressed credential-management/ files: an agent with documents that need
// no network, pages whose own scripts run (window/scripting/, for checks a page script makes, such
// as `'credentials' in navigator`), WebOTP's browser-side mock (otpcredential-helper.js) played
// by the agent's phone and user, and a way to keep a known, explained difference visible.

import { createAgent, runScripts, type Agent, type AgentOptions, type Dialog, type DialogAction, type Frame } from '../../../src/agent/index.js';

export interface OfflineWorld {
  agent: Agent;
  /** A top-level document at https://rp.example/ (no request made). */
  page: Frame;
  close(): Promise<void>;
}

/** An agent and a top-level document at `url` created without a request. */
export async function offlineWorld(url = 'https://rp.example/', options: AgentOptions = {}): Promise<OfflineWorld> {
  const agent = createAgent(options);
  const page = await agent.open(url, { load: false });
  return { agent, page, close: () => agent.close() };
}

/** Runs `fn` in a fresh offline world and closes it. */
export async function offline(fn: (w: OfflineWorld) => Promise<void>, url?: string, options?: AgentOptions): Promise<void> {
  const w = await offlineWorld(url, options);
  try {
    await fn(w);
  } finally {
    await w.close();
  }
}

/**
 * Runs `script` as the document's own classic script (jsdom, wired to the agent by
 * window/scripting/) and resolves with what it assigns to `window.result`.
 */
export async function runPageScript(frame: Frame, script: string): Promise<unknown> {
  frame.response = { status: 200, headers: new Headers({ 'content-type': 'text/html' }), body: `<!doctype html><body><script>${script}</script></body>` };
  const page = runScripts(frame, { label: 'WPT test page' });
  try {
    await page.loaded;
    return (page.window as unknown as { result?: unknown }).result;
  } finally {
    page.close();
  }
}

/**
 * A subtest whose WPT expectation fedkit does not meet on purpose (the spec or Chromium says
 * otherwise). The assertions run unchanged; if they fail, the failure says why, so the report
 * shows the reason next to the row. If the agent ever meets them, the subtest simply passes.
 */
export { knownDifference } from '../wpt.js';

// ---------------------------------------------------------------------------------------------
// WebOTP: otpcredential-helper.js's MockWebOTPService, played by the agent's phone and user

export type OtpOutcome = { status: 'SUCCESS'; otp: string } | { status: 'CANCELLED' };

export interface OtpMock {
  agent: Agent;
  /** expectOTPRequest().andReturn(fn): the next request that starts waiting gets this outcome. */
  expectOTPRequest(outcome: OtpOutcome): void;
}

/**
 * An agent whose phone answers each waiting WebOTP request with the next expected outcome: an
 * SMS addressed to that document (`@top #code`, plus ` @frame` in an iframe), which the user
 * then allows (SUCCESS) or refuses (CANCELLED).
 */
export function otpMockAgent(options: AgentOptions = {}): OtpMock {
  const queue: OtpOutcome[] = [];
  const refused = new Set<string>();
  let cancelled = 0;
  const host = (origin: string): string => new URL(origin).host;
  const agent = createAgent({
    ...options,
    sms: {
      source: ({ origin, topOrigin }) => {
        const next = queue.shift();
        if (next === undefined) return undefined;
        const code = next.status === 'SUCCESS' ? next.otp : `refused${++cancelled}`;
        if (next.status === 'CANCELLED') refused.add(code);
        const top = `Your code is ${code}.\n@${host(topOrigin)} #${code}`;
        // A document same-origin with its top may be the top or an iframe: the phone gets both
        // forms, and the one addressed to another kind of document is ignored.
        return origin === topOrigin ? [top, `${top} @${host(origin)}`] : [`${top} @${host(origin)}`];
      },
    },
    mediator: {
      choose(dialog: Dialog): Promise<DialogAction> {
        if (dialog.dialogType !== 'OtpConsent') return Promise.resolve({ action: 'cancel' });
        return Promise.resolve(refused.has(dialog.code) ? { action: 'cancel' } : { action: 'clickButton', button: 'OtpConsentAllow' });
      },
    },
  });
  return { agent, expectOTPRequest: (outcome) => queue.push(outcome) };
}
