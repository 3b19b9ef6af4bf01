// run-agent: one scenario through fedkit's agent against the scenario's fixture; its trace.
// Dialogs are answered through agent.automation; popups run their pages with jsdomPopups()
// (or are closed by the "user", see Scenario.closePopups). Issues are read from the agent's
// diagnostics: `issue` (the one DevTools issue Chromium would raise), where it is not null.

import { createAgent, jsdomPopups, type Dialog, type Diagnostic, type Frame, type PopupHost } from '../../src/agent/index.js';
import type { Action, DialogAction, Scenario } from './scenario.js';
import { answered, pickAccount, requestsTrace, type DialogTrace, type ResultTrace, type Trace } from './trace.js';
import { buildWorld } from './world.js';

/** How long one step may take to settle (dialogs, popups, results). */
export const AGENT_STEP_BOUND_MS = 6_000;
/** After a step settled: late diagnostics. */
const SETTLE_MS = 150;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The page-visible outcome, as the Chromium runner's page script describes it. */
export function describeValue(c: unknown): ResultTrace {
  if (c !== null && typeof c === 'object' && 'token' in c) {
    const x = c as { type: unknown; token: unknown; isAutoSelected: unknown; configURL: unknown };
    return { type: 'credential', credentialType: x.type, token: x.token, isAutoSelected: x.isAutoSelected, configURL: x.configURL };
  }
  return { type: 'resolved', value: c ?? null };
}

export function describeError(e: unknown): ResultTrace {
  if (e === null || typeof e !== 'object') return { type: 'error', ctor: typeof e, name: '', message: String(e) };
  const x = e as { name?: unknown; message?: unknown; error?: unknown; url?: unknown };
  const out: ResultTrace = { type: 'error', ctor: (e as object).constructor?.name ?? 'Object', name: String(x.name ?? ''), message: String(x.message ?? '') };
  if (x.error !== undefined) out.code = x.error;
  if (x.url !== undefined) out.url = x.url;
  return out;
}

function actionName(a: DialogAction): string {
  if ('select' in a) return `select:${a.select}`;
  if ('dismiss' in a) return a.cooldown ? 'dismiss:cooldown' : 'dismiss';
  if ('button' in a) return `button:${a.button}`;
  if ('abort' in a) return `abort:${a.abort}`;
  return 'observe';
}
export { actionName };

function dialogTrace(d: Dialog, step: number): DialogTrace {
  const t: DialogTrace = { step, type: d.dialogType, title: d.title, accounts: d.accounts.map((a) => pickAccount(a as unknown as Record<string, unknown>)), action: 'none' };
  if (d.subtitle) t.subtitle = d.subtitle;
  return t;
}

function runAction(frame: Frame, action: Action, controller: AbortController | undefined): Promise<unknown> {
  switch (action.kind) {
    case 'get': {
      const options: Record<string, unknown> = structuredClone(action.options);
      if (controller) {
        options.signal = controller.signal;
        if (action.abortBefore) {
          if (action.abortBefore.reason !== undefined) controller.abort(action.abortBefore.reason);
          else controller.abort();
        }
      }
      if (action.activation) frame.activate();
      return (frame.navigator.credentials as unknown as { get(o: unknown): Promise<unknown> }).get(options);
    }
    case 'disconnect':
      return (frame.IdentityCredential as unknown as { disconnect(o: unknown): Promise<unknown> }).disconnect(structuredClone(action.options));
    case 'setStatus':
      return (frame.navigator.login as unknown as { setStatus(s: unknown): Promise<unknown> }).setStatus(action.status);
    case 'preventSilentAccess':
      return frame.navigator.credentials!.preventSilentAccess();
    case 'close':
      return Promise.resolve().then(() => (frame.IdentityProvider as unknown as { close(): unknown }).close());
  }
}

export async function runAgent(scenario: Scenario, boundMs = AGENT_STEP_BOUND_MS): Promise<Trace> {
  const world = await buildWorld(scenario);
  const closePaths = new Set(scenario.closePopups ?? []);
  const pages = jsdomPopups();
  const popupHost: PopupHost = {
    show(popup) {
      if (closePaths.has(popup.url.pathname)) popup.close();
      else return pages.show(popup);
    },
  };
  const agent = createAgent({ hostRules: world.server.hostRules, ca: world.server.ca, popupHost, timeoutMs: 10_000 });
  const issues: string[] = [];
  let recording = false;
  agent.on('diagnostic', (d: Diagnostic) => {
    // Diagnostic.issue: the one DevTools issue Chromium would raise, on the final diagnostic only.
    if (recording && d.issue !== null) issues.push(d.issue);
  });
  const queue: { dialog: Dialog; trace: DialogTrace }[] = [];
  const dialogs: DialogTrace[] = [];
  let step = 0;
  let wake: (() => void) | undefined;
  agent.on('dialogShown', (d: Dialog) => {
    const trace = dialogTrace(d, step);
    dialogs.push(trace);
    queue.push({ dialog: d, trace });
    wake?.();
  });
  try {
    for (const url of world.setupVisits) (await agent.open(url)).close();
    const top = await agent.open(world.topUrl);
    const frame = scenario.frame ? await top.openFrame(scenario.frame.src, scenario.frame.allow !== undefined ? { allow: scenario.frame.allow } : {}) : top;
    world.server.clearRequests();
    recording = true;
    const results: ResultTrace[] = [];
    for (const s of scenario.steps) {
      queue.length = 0;
      if (s.visit) (await agent.open(s.visit)).close();
      if (s.resetCooldown) agent.automation.resetCooldown();
      const controllers = (s.actions ?? []).map((a) => (a.kind === 'get' && (a.signal || a.abortBefore) ? new AbortController() : undefined));
      const outcomes: (ResultTrace | undefined)[] = (s.actions ?? []).map(() => undefined);
      const settled = Promise.all(
        (s.actions ?? []).map((a, i) =>
          runAction(frame, a, controllers[i]).then(
            (v) => (outcomes[i] = describeValue(v)),
            (e: unknown) => (outcomes[i] = describeError(e)),
          ),
        ),
      );
      let done = false;
      void settled.then(() => {
        done = true;
        wake?.();
      });
      const deadline = Date.now() + boundMs;
      for (const da of s.dialogs ?? []) {
        // The next dialog, or nothing when the actions settled (or the bound passed) first.
        while (queue.length === 0 && !done && Date.now() < deadline) {
          await new Promise<void>((resolve) => {
            wake = resolve;
            setTimeout(resolve, Math.max(0, Math.min(200, deadline - Date.now())));
          });
          wake = undefined;
        }
        const next = queue.shift();
        if (!next) break;
        next.trace.action = actionName(da);
        if ('observe' in da && next.trace.type !== 'AutoReauthn') {
          // Only AutoReauthn goes on by itself: another dialog stays to be answered.
          queue.unshift(next);
          continue;
        }
        try {
          if ('select' in da) agent.automation.selectAccount(da.select);
          else if ('dismiss' in da) agent.automation.cancelDialog({ triggerCooldown: da.cooldown ?? false });
          else if ('button' in da) agent.automation.clickDialogButton(da.button);
          else if ('abort' in da) {
            const c = controllers[da.abort];
            if (da.reason !== undefined) c?.abort(da.reason);
            else c?.abort();
          }
        } catch {
          queue.unshift(next); // still shown: the next action answers it
          next.trace.action += ' (failed)'; // the message is the runner's own, not compared
        }
      }
      // A dialog the scenario did not answer (or whose answer failed) is dismissed, as in the
      // Chromium runner, so the step settles; its action reads "dismiss (unlisted)".
      while (!done && Date.now() < deadline) {
        const left = queue.shift();
        // AutoReauthn goes on by itself: never dismissed here (that would race with it).
        if (left && left.trace.type !== 'AutoReauthn') {
          left.trace.action = left.trace.action === 'none' ? 'dismiss (unlisted)' : `${left.trace.action}; dismiss (unlisted)`;
          try {
            agent.automation.cancelDialog();
          } catch {
            // already gone
          }
          continue;
        }
        await Promise.race([settled, sleep(Math.max(0, Math.min(50, deadline - Date.now())))]);
      }
      for (const o of outcomes) results.push(o ?? { type: 'unsettled' });
      await sleep(SETTLE_MS);
      step += 1;
    }
    recording = false;
    await answered(world.server.requests);
    const { requests, waves } = requestsTrace(world.server.requests);
    return JSON.parse(JSON.stringify({ scenario: scenario.name, results, dialogs, requests, waves, issues })) as Trace;
  } finally {
    await agent.close().catch(() => {});
    await world.close();
  }
}
