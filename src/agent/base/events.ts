// The agent's events: what DevTools would show (dialogs, network, issues), as typed events.
//
// There is one emitter per agent. Each layer declares the events it emits where it emits them
// (this file: diagnostics and fetches; mediation: dialogs; core: login status; agent.ts: popups)
// and sees the emitter through `Emitter<ItsEvents>`, so no layer names a type from a layer above
// it; agent.ts puts the maps together into AgentEventMap.

import { EventEmitter } from 'node:events';
import type { Diagnostic, Endpoint } from './diagnostics.js';

/** One network exchange, as the agent reports it (for logs, the demo, and tests). */
export interface FetchRecord {
  endpoint: Endpoint | 'login page' | 'continuation page' | 'navigation' | 'subresource';
  method: string;
  url: string;
  status?: number;
  /** ms from request start to the full body. */
  durationMs: number;
  requestHeaders?: Record<string, string>;
  error?: string;
}

/** The events every layer may emit. */
export interface BaseEventMap {
  /** Something went wrong or looks wrong (Audits.issueAdded + the console line). */
  diagnostic: [diagnostic: Diagnostic];
  /** A network exchange made by the agent (FedCM endpoints, pictures, navigations). */
  fetch: [record: FetchRecord];
}

/** An event map: event name → the listener's arguments. */
export type EventMap<M> = { [K in keyof M]: unknown[] };

/** The agent's emitter, seen through the events one layer emits or listens to. */
export interface Emitter<M extends EventMap<M>> {
  emit<K extends keyof M & string>(event: K, ...args: M[K]): void;
  on<K extends keyof M & string>(event: K, listener: (...args: M[K]) => void): void;
  off<K extends keyof M & string>(event: K, listener: (...args: M[K]) => void): void;
  once<K extends keyof M & string>(event: K, listener: (...args: M[K]) => void): void;
}

/** The one emitter of an agent: Node's EventEmitter (listeners run synchronously, in order). */
export class Events<M extends EventMap<M>> implements Emitter<M> {
  readonly #emitter = new EventEmitter();

  emit<K extends keyof M & string>(event: K, ...args: M[K]): void {
    this.#emitter.emit(event, ...args);
  }

  on<K extends keyof M & string>(event: K, listener: (...args: M[K]) => void): void {
    this.#emitter.on(event, listener as (...args: unknown[]) => void);
  }

  off<K extends keyof M & string>(event: K, listener: (...args: M[K]) => void): void {
    this.#emitter.off(event, listener as (...args: unknown[]) => void);
  }

  once<K extends keyof M & string>(event: K, listener: (...args: M[K]) => void): void {
    this.#emitter.once(event, listener as (...args: unknown[]) => void);
  }
}
