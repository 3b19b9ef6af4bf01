// Loading a module in Node's own realm, wherever the caller runs. Jest's jsdom environment runs
// test code, and every module it imports, inside jsdom's vm context: there Node's globals that the
// agent's network layer needs (TextDecoder, ReadableStream, …) are missing, and Jest's module
// registry answers every require and import. The agent belongs in Node's realm, beside the window
// (as with runScripts, where pages run in jsdom and the agent in Node), so from a vm context the
// module is imported through the main context's own loader (vm's USE_MAIN_CONTEXT_DEFAULT_LOADER,
// Node ≥ 20.12; Node prints an ExperimentalWarning for it once). Vitest and plain Node run test
// code in the main realm, where this is an ordinary import().

import { constants, Script } from 'node:vm';

/** Whether this module runs in Node's main realm rather than inside a vm context (Jest's). */
export function inMainRealm(): boolean {
  return new Script('Object').runInThisContext() === Object;
}

/** Imports `url` (a file: URL) with the main context's ESM loader, from any realm. */
export async function importInMainRealm<T>(url: URL): Promise<T> {
  const loader = (constants as Partial<typeof constants> | undefined)?.USE_MAIN_CONTEXT_DEFAULT_LOADER;
  if (loader === undefined) {
    throw new Error(`fedkit/jsdom: this code runs inside a vm context (Jest's jsdom environment), and loading the agent in Node's realm from there needs Node >= 20.12 (vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER); this is Node ${process.version}.`);
  }
  const load = new Script('(specifier) => import(specifier)', { filename: url.href, importModuleDynamically: loader }).runInThisContext() as (specifier: string) => Promise<T>;
  return load(url.href);
}
