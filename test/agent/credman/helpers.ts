// Helpers for the Credential Management tests: an agent with pages that need no network.

import { createAgent, type Agent, type AgentOptions, type Frame } from '../../../src/agent/index.js';
import { rejection } from '../../helpers/world.js';

export { rejection };

/** An agent and an unloaded top-level page at `url` (default https://rp.example/). */
export async function offlinePage(url = 'https://rp.example/', options: AgentOptions = {}): Promise<{ agent: Agent; page: Frame }> {
  const agent = createAgent(options);
  const page = await agent.open(url, { load: false });
  return { agent, page };
}

/** The name of the error a promise rejects with (fails if it resolves). */
export async function errorName(p: Promise<unknown>): Promise<string> {
  const e = await rejection(p);
  return (e as { name?: unknown }).name as string;
}

/** Resolves after a macrotask (lets "in parallel" steps run). */
export function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The WPT create-basics form, built with the page's DOM as the test builds it. */
export function wptForm(page: Frame): HTMLFormElement {
  const f = page.document.createElement('form');
  f.innerHTML =
    "<input type='text' name='theId' value='musterman' autocomplete='username'>" +
    "<input type='text' name='thePassword' value='sekrit' autocomplete='current-password'>" +
    "<input type='text' name='theIcon' value='https://example.com/photo' autocomplete='photo'>" +
    "<input type='text' name='theExtraField' value='extra'>" +
    "<input type='text' name='theName' value='friendly name' autocomplete='name'>";
  return f;
}
