// installFedCM's work, in Node's realm: checks the window and the options, creates the agent (or
// takes the caller's), opens the agent's document for the page URL without loading it, and gives
// the window that document's APIs with the agent's exposeToWindow (realm conversion, user
// activation from the window's click and keydown events). index.ts loads this module, in Node's
// main realm even when the caller runs inside a vm context (Jest).

import { createAgent, exposeToWindow, type Agent, type AgentOptions, type Dialog, type DialogType, type ExposeOptions } from '../../agent/index.js';
import { isPotentiallyTrustworthy } from '../../common/site.js';
import type { DialogWaitOptions, FedCM, InstallFedCMOptions, JsdomWindow } from './types.js';

/** Every member of AgentOptions (tsc checks the list against the type). */
const AGENT_OPTIONS = {
  hostRules: true,
  ca: true,
  insecureTLS: true,
  timeoutMs: true,
  handlers: true,
  fedcmNetworkBudgetMs: true,
  userAgent: true,
  mediator: true,
  rejectionDelay: true,
  clock: true,
  random: true,
  profile: true,
  cookieStore: true,
  popupHost: true,
  sms: true,
  webauthn: true,
  diagnosticsLimit: true,
  compat: true,
} as const satisfies Record<keyof AgentOptions, true>;

/** The members of ExposeOptions installFedCM passes on (tsc checks the list against the type). */
const EXPOSE_OPTIONS = { documentCookie: true, onCredentialRequest: true, activationEvents: true } as const satisfies Record<keyof ExposeOptions, true>;

const OWN_OPTIONS = new Set(['agent', 'url', ...Object.keys(EXPOSE_OPTIONS)]);

/** The windows FedCM is installed on, with their installation. */
const installations = new WeakMap<object, FedCM>();

/** The installation on `window`, if any. */
export function installedOn(window: object): FedCM | undefined {
  return installations.get(window);
}

/** Gives `window` the agent's APIs for `options.url` (index.ts documents it). */
export async function install(window: unknown, options: InstallFedCMOptions | undefined = {}): Promise<FedCM> {
  const w = checkWindow(window);
  const { agent: given, url: urlOption, agentOptions, expose } = checkOptions(options);
  if (installations.has(w)) throw new TypeError('installFedCM: FedCM is already installed on this window; call uninstall() on the installation first.');
  const url = pageUrl(w, urlOption);
  const agent = given ?? createAgent(agentOptions);
  let frame;
  try {
    frame = await agent.open(url, { load: false });
  } catch (e) {
    if (given === undefined) await agent.close();
    throw e;
  }
  let restore: () => void;
  try {
    restore = exposeToWindow(w, frame, expose);
  } catch (e) {
    frame.close();
    if (given === undefined) await agent.close();
    throw e;
  }
  let uninstalling: Promise<void> | undefined;
  const wait = <T extends DialogType = DialogType>(o: DialogWaitOptions & { type?: T } = {}): Promise<Extract<Dialog, { dialogType: T }>> =>
    agent.automation.waitForDialog<T>({ ...(o.type === undefined ? {} : { type: o.type }), ...(o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs }) });
  const fedcm: FedCM = {
    agent,
    frame,
    window: w,
    waitForDialog: wait,
    async chooseAccount(account = 0, o = {}) {
      const dialog = await wait({ ...o, type: 'AccountChooser' });
      const index = typeof account === 'number' ? account : dialog.accounts.findIndex((a) => a.accountId === account || a.email === account);
      if (index < 0 || index >= dialog.accounts.length || !Number.isInteger(index)) {
        const shown = dialog.accounts.map((a, i) => `${i}: ${a.accountId} (${a.email})`).join(', ');
        throw new TypeError(`chooseAccount: the account chooser has no account ${JSON.stringify(account)}; it shows ${shown || 'none'}.`);
      }
      agent.automation.selectAccount(index);
      return dialog;
    },
    async cancelDialog(o = {}) {
      const dialog = await wait(o);
      agent.automation.cancelDialog();
      return dialog;
    },
    activate: () => frame.activate(),
    uninstall() {
      uninstalling ??= (async () => {
        installations.delete(w);
        frame.close();
        restore();
        if (given === undefined) await agent.close();
      })();
      return uninstalling;
    },
  };
  installations.set(w, fedcm);
  return fedcm;
}

/** `window` as a jsdom window, or a TypeError saying what it is. */
function checkWindow(window: unknown): JsdomWindow & object {
  const w = window as Partial<Record<'document' | 'navigator' | 'location' | 'addEventListener', unknown>> | null | undefined;
  const ok =
    (typeof w === 'object' || typeof w === 'function') &&
    w !== null &&
    typeof w.document === 'object' &&
    w.document !== null &&
    typeof w.navigator === 'object' &&
    w.navigator !== null &&
    typeof w.addEventListener === 'function' &&
    typeof (w.location as { href?: unknown } | undefined)?.href === 'string';
  if (!ok) {
    throw new TypeError(
      `installFedCM: expected a jsdom window (Vitest's or Jest's jsdom environment: window; or new JSDOM(…).window), with document, navigator, location and addEventListener; got ${describe(window)}.`,
    );
  }
  return w as unknown as JsdomWindow & object;
}

/** The options split into the agent (or its options), the URL and exposeToWindow's options. */
function checkOptions(options: unknown): { agent: Agent | undefined; url: unknown; agentOptions: AgentOptions; expose: ExposeOptions } {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`installFedCM: options must be an object ({ agent } or agent options such as { hostRules, ca }, and url); got ${describe(options)}.`);
  }
  const o = options as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !OWN_OPTIONS.has(k) && !Object.hasOwn(AGENT_OPTIONS, k));
  if (unknown.length > 0) {
    throw new TypeError(
      `installFedCM: unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => JSON.stringify(k)).join(', ')}. The options are agent, url, ${Object.keys(EXPOSE_OPTIONS).join(', ')}, or the agent's: ${Object.keys(AGENT_OPTIONS).join(', ')}.`,
    );
  }
  const agentKeys = Object.keys(o).filter((k) => Object.hasOwn(AGENT_OPTIONS, k) && o[k] !== undefined);
  const agent = o['agent'];
  if (agent !== undefined) {
    const a = agent as Partial<Record<'open' | 'close' | 'automation', unknown>> | null;
    if (typeof a !== 'object' || a === null || typeof a.open !== 'function' || typeof a.close !== 'function' || typeof a.automation !== 'object') {
      throw new TypeError(`installFedCM: options.agent must be an Agent (createAgent() from fedkit/agent); got ${describe(agent)}.`);
    }
    if (agentKeys.length > 0) {
      throw new TypeError(`installFedCM: pass either an agent or agent options, not both: the agent was created with its own options, so ${agentKeys.join(', ')} would be ignored.`);
    }
  }
  const agentOptions = Object.fromEntries(agentKeys.map((k) => [k, o[k]])) as AgentOptions;
  const expose = Object.fromEntries(Object.keys(EXPOSE_OPTIONS).filter((k) => o[k] !== undefined).map((k) => [k, o[k]])) as ExposeOptions;
  return { agent: agent as Agent | undefined, url: o['url'], agentOptions, expose };
}

/** The page URL: `url` resolved against the window's, which must be a secure context. */
function pageUrl(window: JsdomWindow, url: unknown): URL {
  const base = window.location.href;
  if (url !== undefined && typeof url !== 'string' && !(typeof url === 'object' && url !== null && typeof (url as { href?: unknown }).href === 'string')) {
    throw new TypeError(`installFedCM: options.url must be a string or a URL; got ${describe(url)}.`);
  }
  const given = url === undefined ? base : typeof url === 'string' ? url : (url as { href: string }).href;
  let parsed: URL;
  try {
    parsed = new URL(given, base);
  } catch {
    throw new TypeError(`installFedCM: ${JSON.stringify(given)} is not a valid URL.`);
  }
  if (!isPotentiallyTrustworthy(parsed)) {
    const whose = url === undefined ? "The window's URL" : 'options.url';
    throw new TypeError(
      `installFedCM: ${whose} ${parsed.href} is not a secure context, and navigator.credentials, IdentityCredential and navigator.login exist only in secure contexts (https:, or http: on localhost). ` +
        "Pass url: 'https://rp.example/' (your RP's origin), or set the environment's URL to it (Vitest: environmentOptions.jsdom.url; Jest: testEnvironmentOptions.url).",
    );
  }
  return parsed;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'function') return `a function${value.name ? ` (${value.name})` : ''}`;
  if (typeof value !== 'object') return typeof value === 'string' ? `the string ${JSON.stringify(value)}` : String(value);
  const name = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor?.name;
  return name ? `a ${name} object` : 'an object';
}
