// Starts fedkit/testing's IdP and RP once for the whole Vitest run and hands the tests what they
// need to reach them (Vitest's provide/inject: plain data only).

import type { TestProject } from 'vitest/node';
import { startTestSystem } from 'fedkit/testing';

export interface FedkitTestSystem {
  hostRules: Record<string, string>;
  ca: string;
  configURL: string;
  clientId: string;
  signInUrl: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    fedkit: FedkitTestSystem;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const system = await startTestSystem();
  project.provide('fedkit', {
    hostRules: { ...system.hostRules },
    ca: system.ca,
    configURL: system.idp.configURL,
    clientId: system.idp.clientId,
    signInUrl: system.idp.signInUrl(),
  });
  return () => system.close();
}
