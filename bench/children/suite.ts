// One contender of the test-suite benchmark (bench/suite.ts), in its own process: `tests` sign-in
// tests one after another, each as a test of a user's suite would be written — a fresh agent (or
// a fresh browser context), a session at the IdP, the RP page, one get() answered by selecting
// the first account, and an assertion that the page received a token. The browser is launched
// once per run, as a test runner's worker launches it once, and that launch is timed apart.

import { autoSelect, createAgent, IdentityCredential } from '../../src/agent/index.js';
import { installFedCM } from '../../src/integrations/playwright/index.js';
import { serveChild } from '../lib/child.js';
import type { SystemInfo } from './system.js';

export type SuiteContender = 'fedkit' | 'fedkit-playwright' | 'chromium';

export interface SuiteRun {
  contender: SuiteContender;
  tests: number;
  passed: number;
  /** From the first test's start to the last test's end, ms (the browser launch excluded). */
  wallMs: number;
  /** Launching the browser once, ms (0 for the agent). */
  launchMs: number;
  /** Each test's own time, ms. */
  perTest: number[];
  /** The first distinct failures. */
  failures: string[];
  browserVersion?: string;
}

const CHROMIUM = '/usr/bin/chromium';
const SESSION_PATH = '/__bench/session';
const RP_PAGE = 'https://rp.example/bench';

interface RunPayload {
  info: SystemInfo;
  contender: SuiteContender;
  tests: number;
  /** Gives up on a test after this long (a hung test must fail the run, not stall it). */
  testTimeoutMs: number;
}

/** Rejects when `promise` takes longer than `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** What a test asserts on the page: the credential carries a compact JWS. */
function assertToken(token: unknown): void {
  if (typeof token !== 'string' || token.split('.').length !== 3) throw new Error(`expected a JWT on the page, got ${JSON.stringify(token)}`);
}

type Test = (i: number) => Promise<void>;

/** fedkit's agent alone: what a Node test (node:test, Vitest, Jest) pays per sign-in test. */
function agentTest(info: SystemInfo, tag: string): Test {
  return async (i) => {
    const agent = createAgent({ hostRules: info.hostRules, ca: info.ca, rejectionDelay: false, mediator: autoSelect(0) });
    try {
      (await agent.open(new URL(SESSION_PATH, info.configURL).href)).close();
      const page = await agent.open(RP_PAGE);
      const c = await page.navigator.credentials!.get({ identity: { providers: [{ configURL: info.configURL, clientId: info.clientId, params: { nonce: `suite-${tag}-${i}` } }] }, mediation: 'required' });
      assertToken(c instanceof IdentityCredential ? c.token : c);
    } finally {
      await agent.close();
    }
  };
}

/** The browser-side tests: a fresh context per test, the page's own get() through window.bench(). */
async function browserTests(info: SystemInfo, contender: 'fedkit-playwright' | 'chromium', tag: string): Promise<{ test: Test; close: () => Promise<void>; launchMs: number; version: string }> {
  const { chromium } = await import('playwright-core');
  const hostRule = `MAP *.example:443 127.0.0.1:${info.port}`;
  const t0 = performance.now();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: false, // --headless=new: the full browser, whose FedCM UI the FedCm domain drives
    timeout: 30_000,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--host-resolver-rules=${hostRule}`, '--ignore-certificate-errors', ...(contender === 'fedkit-playwright' ? ['--disable-features=FedCm'] : [])],
  });
  const launchMs = performance.now() - t0;
  const test: Test = async (i) => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    try {
      let fedcm: Awaited<ReturnType<typeof installFedCM>> | undefined;
      if (contender === 'fedkit-playwright') fedcm = await installFedCM(context, { hostRules: info.hostRules, ca: info.ca, rejectionDelay: false, mediator: autoSelect(0) });
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      if (contender === 'chromium') {
        const cdp = await context.newCDPSession(page);
        cdp.on('FedCm.dialogShown', (d: { dialogId: string; dialogType: string }) => {
          if (d.dialogType === 'AccountChooser') void cdp.send('FedCm.selectAccount', { dialogId: d.dialogId, accountIndex: 0 }).catch(() => {});
          else void cdp.send('FedCm.dismissDialog', { dialogId: d.dialogId }).catch(() => {});
        });
        await cdp.send('FedCm.enable', { disableRejectionDelay: true });
      }
      await page.goto(new URL(SESSION_PATH, info.configURL).href);
      await page.goto(RP_PAGE);
      const r = await page.evaluate(
        ([configURL, clientId, nonce]) => (window as unknown as { bench: (c: string, i: string, n: string) => Promise<{ token?: string; error?: string }> }).bench(configURL, clientId, nonce),
        [info.configURL, info.clientId, `suite-${tag}-${i}`] as const,
      );
      if (r.error !== undefined) throw new Error(r.error);
      assertToken(r.token);
      await fedcm?.close();
    } finally {
      await context.close();
    }
  };
  return { test, close: () => browser.close(), launchMs, version: browser.version() };
}

async function run({ info, contender, tests, testTimeoutMs }: RunPayload): Promise<SuiteRun> {
  const tag = `${Date.now().toString(36)}-${contender}`;
  let launchMs = 0;
  let version: string | undefined;
  let close = async (): Promise<void> => {};
  let test: Test;
  if (contender === 'fedkit') {
    test = agentTest(info, tag);
  } else {
    const b = await browserTests(info, contender, tag);
    ({ test, close, launchMs, version } = b);
  }
  const perTest: number[] = [];
  const failures: string[] = [];
  let passed = 0;
  const start = performance.now();
  try {
    for (let i = 0; i < tests; i++) {
      const t0 = performance.now();
      try {
        await within(test(i), testTimeoutMs, `test ${i + 1}`);
        passed++;
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        if (!failures.includes(message) && failures.length < 5) failures.push(message);
      }
      perTest.push(performance.now() - t0);
    }
  } finally {
    await close();
  }
  return { contender, tests, passed, wallMs: performance.now() - start, launchMs, perTest, failures, ...(version === undefined ? {} : { browserVersion: version }) };
}

serveChild({ run: (payload: RunPayload) => run(payload) });
