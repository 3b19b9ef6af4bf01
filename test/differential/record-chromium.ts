// record-chromium: one scenario through Debian's Chromium (/usr/bin/chromium, playwright-core,
// never a downloaded browser) against the scenario's fixture; its trace. A fresh profile per
// scenario; dialogs through the DevTools FedCm domain (FedCm.enable {disableRejectionDelay:
// true}, dialogShown, selectAccount / dismissDialog / clickDialogButton / resetCooldown), issues
// from the Audits domain. Every wait is bounded: a step that does not settle is an error.

import { createHash, createPublicKey } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type CDPSession, type Frame, type Page } from 'playwright-core';
import { testCertificates } from '../helpers/certs.js';
import { actionName } from './run-agent.js';
import type { Action, Scenario } from './scenario.js';
import { answered, pickAccount, requestsTrace, type DialogTrace, type ResultTrace, type Trace } from './trace.js';
import { buildWorld } from './world.js';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_STEP_BOUND_MS = 12_000;
const SETTLE_MS = 300;

interface DialogShownEvent {
  dialogId: string;
  dialogType: string;
  title: string;
  subtitle?: string;
  accounts: object[];
}

interface IssueAddedEvent {
  issue: {
    code: string;
    details: {
      federatedAuthRequestIssueDetails?: { federatedAuthRequestIssueReason: string };
      federatedAuthUserInfoRequestIssueDetails?: { federatedAuthUserInfoRequestIssueReason: string };
    };
  };
}

/** base64(sha256(SPKI)) of the test leaf: Chromium trusts exactly that key, not every certificate. */
function leafSpki(): string {
  const der = createPublicKey(testCertificates().keyPem).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
}

/** Runs in the page: starts action `i` (now, or on a click of a button it adds). */
function startInPage([i, spec]: [number, Action]): void {
  type W = { __fk?: { results: Promise<unknown>[]; ctrls: (AbortController | undefined)[] } };
  const w = window as unknown as W;
  w.__fk ??= { results: [], ctrls: [] };
  const fk = w.__fk;
  const describeError = (e: unknown): unknown => {
    if (e === null || typeof e !== 'object') return { type: 'error', ctor: typeof e, name: '', message: String(e) };
    const x = e as { name?: unknown; message?: unknown; error?: unknown; url?: unknown };
    const out: Record<string, unknown> = { type: 'error', ctor: (e as object).constructor?.name ?? 'Object', name: String(x.name ?? ''), message: String(x.message ?? '') };
    if (x.error !== undefined) out.code = x.error;
    if (x.url !== undefined) out.url = x.url;
    return out;
  };
  const describeValue = (c: unknown): unknown => {
    if (c !== null && typeof c === 'object' && 'token' in c) {
      const x = c as { type: unknown; token: unknown; isAutoSelected: unknown; configURL: unknown };
      return { type: 'credential', credentialType: x.type, token: x.token, isAutoSelected: x.isAutoSelected, configURL: x.configURL };
    }
    return { type: 'resolved', value: c ?? null };
  };
  const run = async (): Promise<unknown> => {
    try {
      switch (spec.kind) {
        case 'get': {
          const options: Record<string, unknown> = structuredClone(spec.options);
          if (spec.signal || spec.abortBefore) {
            const c = new AbortController();
            fk.ctrls[i] = c;
            options.signal = c.signal;
            if (spec.abortBefore) {
              if (spec.abortBefore.reason !== undefined) c.abort(spec.abortBefore.reason);
              else c.abort();
            }
          }
          return describeValue(await navigator.credentials.get(options as CredentialRequestOptions));
        }
        case 'disconnect':
          return describeValue(await (globalThis as unknown as { IdentityCredential: { disconnect(o: unknown): Promise<unknown> } }).IdentityCredential.disconnect(spec.options));
        case 'setStatus':
          return describeValue(await (navigator as unknown as { login: { setStatus(s: string): Promise<unknown> } }).login.setStatus(spec.status));
        case 'preventSilentAccess':
          return describeValue(await navigator.credentials.preventSilentAccess());
        case 'close':
          return describeValue((globalThis as unknown as { IdentityProvider: { close(): unknown } }).IdentityProvider.close());
      }
    } catch (e) {
      return describeError(e);
    }
  };
  if (spec.kind === 'get' && spec.activation) {
    const b = document.createElement('button');
    b.id = `fk-go-${i}`;
    b.textContent = 'go';
    b.style.cssText = 'display:block;width:200px;height:40px';
    b.onclick = () => {
      fk.results[i] = run();
    };
    document.body.prepend(b);
  } else {
    fk.results[i] = run();
  }
}

export async function recordChromium(scenario: Scenario, boundMs = CHROMIUM_STEP_BOUND_MS): Promise<Trace> {
  const world = await buildWorld(scenario);
  const dir = mkdtempSync(join(tmpdir(), 'fedkit-diff-'));
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: false, // --headless=new: the full browser, whose FedCM UI the FedCm domain drives
      timeout: 30_000,
      args: [
        '--headless=new',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        // Every *.example host on :443 is the fixture; nothing else resolves.
        `--host-resolver-rules=MAP *.example:443 127.0.0.1:${world.server.port}, MAP * ~NOTFOUND`,
        `--ignore-certificate-errors-spki-list=${leafSpki()}`,
        // One renderer for every frame, so a cross-origin iframe's FedCM issues reach this page's session.
        '--disable-site-isolation-trials',
      ],
    });
    const ctx = context;
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    page.setDefaultTimeout(10_000);
    const cdp: CDPSession = await ctx.newCDPSession(page);
    const queue: { e: DialogShownEvent; trace: DialogTrace }[] = [];
    const dialogs: DialogTrace[] = [];
    const issues: string[] = [];
    let recording = false;
    let step = 0;
    cdp.on('FedCm.dialogShown', (e: DialogShownEvent) => {
      const trace: DialogTrace = { step, type: e.dialogType, title: e.title, accounts: e.accounts.map((a) => pickAccount(a as Record<string, unknown>)), action: 'none' };
      if (e.subtitle) trace.subtitle = e.subtitle;
      dialogs.push(trace);
      queue.push({ e, trace });
    });
    cdp.on('Audits.issueAdded', (e: IssueAddedEvent) => {
      if (!recording) return;
      const r = e.issue.details.federatedAuthRequestIssueDetails?.federatedAuthRequestIssueReason;
      const u = e.issue.details.federatedAuthUserInfoRequestIssueDetails?.federatedAuthUserInfoRequestIssueReason;
      if (r !== undefined) issues.push(r);
      if (u !== undefined) issues.push(`UserInfo:${u}`);
    });
    await cdp.send('FedCm.enable', { disableRejectionDelay: true });
    await cdp.send('Audits.enable');
    // Page scripts run through Runtime.evaluate with userGesture false: Playwright's evaluate()
    // runs with a user gesture, which would give every action transient activation.
    const contexts = new Map<string, number>();
    cdp.on('Runtime.executionContextCreated', (e: { context: { id: number; auxData?: { frameId?: string; isDefault?: boolean } } }) => {
      if (e.context.auxData?.isDefault && e.context.auxData.frameId) contexts.set(e.context.auxData.frameId, e.context.id);
    });
    await cdp.send('Runtime.enable');

    const closePaths = new Set(scenario.closePopups ?? []);
    ctx.on('page', (popup: Page) => {
      if (popup === page) return;
      void (async () => {
        await popup.waitForLoadState('domcontentloaded', { timeout: 10_000 }).catch(() => {});
        if (process.env.DIFF_DEBUG) console.error(`popup ${popup.url()}`);
        if (!popup.isClosed() && closePaths.has(new URL(popup.url()).pathname)) await popup.close().catch((e: unknown) => { if (process.env.DIFF_DEBUG) console.error(`close failed: ${String(e)}`); });
        if (process.env.DIFF_DEBUG) console.error(`popup closed: ${popup.isClosed()}`);
      })();
    });

    for (const url of world.setupVisits) await page.goto(url, { waitUntil: 'load' });
    await page.goto(world.topUrl, { waitUntil: 'load' });
    let frame: Frame = page.mainFrame();
    if (scenario.frame) {
      const src = scenario.frame.src;
      const found = page.frames().find((f) => f !== page.mainFrame() && f.url() === src);
      if (!found) throw new Error(`${scenario.name}: the iframe ${src} did not load (frames: ${page.frames().map((f) => f.url()).join(', ')})`);
      frame = found;
    }
    // The frame's id in DevTools, and its main-world execution context.
    type FrameTree = { frame: { id: string; url: string }; childFrames?: FrameTree[] };
    const { frameTree } = (await cdp.send('Page.getFrameTree')) as unknown as { frameTree: FrameTree };
    const frameId = scenario.frame ? frameTree.childFrames?.find((c) => c.frame.url === scenario.frame!.src)?.frame.id : frameTree.frame.id;
    const contextId = frameId === undefined ? undefined : contexts.get(frameId);
    if (contextId === undefined) throw new Error(`${scenario.name}: no execution context for the frame ${scenario.frame?.src ?? world.topUrl}`);
    const evaluate = async (expression: string, awaitPromise: boolean): Promise<unknown> => {
      const r = (await cdp.send('Runtime.evaluate', { expression, contextId, awaitPromise, returnByValue: true, userGesture: false })) as { result: { value?: unknown }; exceptionDetails?: { text: string; exception?: { description?: string } } };
      if (r.exceptionDetails) throw new Error(`page script failed: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
      return r.result.value;
    };
    await sleep(100); // late subresources of setup (favicon) before the log is cleared
    world.server.clearRequests();
    recording = true;

    const results: ResultTrace[] = [];
    for (const s of scenario.steps) {
      queue.length = 0;
      if (s.visit) {
        const other = await ctx.newPage();
        await other.goto(s.visit, { waitUntil: 'load' });
        await other.close();
      }
      if (s.resetCooldown) await cdp.send('FedCm.resetCooldown');
      const actions = s.actions ?? [];
      const base = results.length;
      for (const [i, a] of actions.entries()) {
        await evaluate(`(${startInPage.toString()})(${JSON.stringify([base + i, a])})`, false);
        if (a.kind === 'get' && a.activation) await frame.click(`#fk-go-${base + i}`);
      }
      const waitAll = (): Promise<unknown[]> =>
        evaluate(`Promise.all(${JSON.stringify(actions.map((_, i) => base + i))}.map((id) => window.__fk.results[id]))`, true) as Promise<unknown[]>;
      let done = false;
      const all = waitAll().then((r) => {
        done = true;
        return r;
      });
      all.catch(() => {});
      const deadline = Date.now() + boundMs;
      for (const da of s.dialogs ?? []) {
        while (queue.length === 0 && !done && Date.now() < deadline) await sleep(25);
        const next = queue.shift();
        if (!next) break;
        next.trace.action = actionName(da);
        if ('observe' in da && next.trace.type !== 'AutoReauthn') {
          // Only AutoReauthn goes on by itself: another dialog stays to be answered.
          queue.unshift(next);
          continue;
        }
        const dialogId = next.e.dialogId;
        try {
          if ('select' in da) await cdp.send('FedCm.selectAccount', { dialogId, accountIndex: da.select });
          else if ('dismiss' in da) await cdp.send('FedCm.dismissDialog', { dialogId, triggerCooldown: da.cooldown ?? false });
          else if ('button' in da) await cdp.send('FedCm.clickDialogButton', { dialogId, dialogButton: da.button });
          else if ('abort' in da) {
            const c = `window.__fk.ctrls[${base + da.abort}]`;
            await evaluate(da.reason !== undefined ? `${c}?.abort(${JSON.stringify(da.reason)})` : `${c}?.abort()`, false);
          }
        } catch {
          queue.unshift(next); // still shown: the next action answers it
          next.trace.action += ' (failed)'; // the message is the runner's own, not compared
        }
      }
      // A dialog the scenario did not answer (or whose answer failed) is dismissed, so the step
      // settles; its action reads "dismiss (unlisted)" (the agent runner does the same).
      while (!done && Date.now() < deadline) {
        const left = queue.shift();
        // AutoReauthn goes on by itself: never dismissed here (that would race with it).
        if (left && left.trace.type !== 'AutoReauthn') {
          left.trace.action = left.trace.action === 'none' ? 'dismiss (unlisted)' : `${left.trace.action}; dismiss (unlisted)`;
          await cdp.send('FedCm.dismissDialog', { dialogId: left.e.dialogId, triggerCooldown: false }).catch(() => {});
          continue;
        }
        await sleep(25);
      }
      const outcome = (await within(all, Math.max(1, deadline - Date.now()), `${scenario.name}: step ${step} (${actions.map((a) => a.kind).join(', ')}) did not settle; dialogs: ${JSON.stringify(dialogs)}`)) as ResultTrace[];
      results.push(...outcome);
      await sleep(SETTLE_MS);
      step += 1;
    }
    recording = false;
    await answered(world.server.requests);
    const { requests, waves } = requestsTrace(world.server.requests);
    return JSON.parse(JSON.stringify({ scenario: scenario.name, results, dialogs, requests, waves, issues })) as Trace;
  } finally {
    await context?.close().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
    await world.close();
  }
}
