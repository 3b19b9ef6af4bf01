// Test setup for the WebAuthn module's own tests: they reach WebAuthn through its exports, with a
// real agent and a real Frame (agent.open) and a WebAuthnCore built from public pieces (the same
// ManualClock the agent uses, a fixed random source, a diagnostics array), so each test controls
// the state's options and store. The agent's own state (createWebAuthn() with its AgentCore,
// `agent.webauthn`, reached through navigator.credentials) is tested in agent.test.ts.

import assert from 'node:assert/strict';
import { createAgent, ManualClock, type Agent, type DiagnosticInit, type Frame } from '../../../src/agent/index.js';
import {
  createWebAuthn,
  type AuthenticationResponseJSON,
  type PublicKeyCredential,
  type PublicKeyCredentialCreationOptionsInit,
  type RegistrationResponseJSON,
  type WebAuthn,
  type WebAuthnCore,
  type WebAuthnOptions,
} from '../../../src/agent/webauthn/index.js';

export interface Setup {
  agent: Agent;
  clock: ManualClock;
  core: WebAuthnCore;
  webauthn: WebAuthn;
  /** https://rp.example/ (not loaded: no server is needed). */
  page: Frame;
  diagnostics: DiagnosticInit[];
  close(): Promise<void>;
}

export async function setup(options: WebAuthnOptions = {}, url = 'https://rp.example/'): Promise<Setup> {
  const clock = new ManualClock();
  const agent = createAgent({ clock });
  const page = await agent.open(url, { load: false });
  const diagnostics: DiagnosticInit[] = [];
  const core: WebAuthnCore = { clock, random: () => 0.5, report: (d) => diagnostics.push(d) };
  const webauthn = createWebAuthn(core, options);
  return { agent, clock, core, webauthn, page, diagnostics, close: () => agent.close() };
}

export const RP_ORIGIN = 'https://rp.example';
export const RP_ID = 'rp.example';

export function challenge(fill = 1): Uint8Array {
  return new Uint8Array(32).fill(fill);
}

export const b64 = (bytes: Uint8Array | ArrayBuffer): string => Buffer.from(bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes).toString('base64url');

/** Creation options with sensible defaults; `extra` members override. */
export function creationOptions(extra: Partial<PublicKeyCredentialCreationOptionsInit> = {}): PublicKeyCredentialCreationOptionsInit {
  return {
    rp: { name: 'RP' },
    user: { id: new Uint8Array([1, 2, 3, 4]), name: 'alice@rp.example', displayName: 'Alice' },
    challenge: challenge(),
    pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
    ...extra,
  };
}

export function registrationJSON(credential: PublicKeyCredential): RegistrationResponseJSON {
  const json = credential.toJSON();
  assert.ok('attestationObject' in json.response, 'expected a registration');
  return json as RegistrationResponseJSON;
}

export function authenticationJSON(credential: PublicKeyCredential): AuthenticationResponseJSON {
  const json = credential.toJSON();
  assert.ok('signature' in json.response, 'expected an assertion');
  return json as AuthenticationResponseJSON;
}

/** Resolves with the rejection of `p` (fails the test if it resolves). */
export async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    const value = await p;
    throw new assert.AssertionError({ message: `expected a rejection, got ${String(value)}` });
  } catch (e) {
    if (e instanceof assert.AssertionError) throw e;
    return e;
  }
}

/** The error's name (DOMException or Error). */
export function errorName(e: unknown): string {
  return e instanceof Error || e instanceof DOMException ? e.name : typeof e;
}

/** Whether a verification promise rejects or resolves with verified: false. */
export async function refused(p: Promise<{ verified: boolean }>): Promise<boolean> {
  try {
    return !(await p).verified;
  } catch {
    return true;
  }
}
