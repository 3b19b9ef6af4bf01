// AgentCore: what every API needs from the agent, and nothing of the agent itself. Pages and
// the algorithms (FedCM, WebOTP, WebAuthn, the credential store) get the agent's network,
// profile, dialogs, clock and phone through it; agent.ts builds one per agent.

import type { AbortLike } from './base/abort-state.js';
import type { Clock, Random } from './base/clock.js';
import type { DiagnosticInit } from './base/diagnostics.js';
import type { BaseEventMap, Emitter } from './base/events.js';
import type { DialogHost } from './mediation/dialog-host.js';
import type { DialogEventMap } from './mediation/dialog.js';
import type { PopupPurpose, PopupWindow } from './mediation/popup-window.js';
import type { Fetcher } from './net/fetcher.js';
import type { LoginStatus, Profile } from './profile/profile.js';
import type { SmsInbox } from './sms/sms-inbox.js';

/** The events the algorithms emit and listen to. */
export interface CoreEventMap extends BaseEventMap, DialogEventMap {
  /** A login status was set (by Set-Login, navigator.login or an accounts fetch). */
  loginStatus: [event: { origin: string; status: LoginStatus }];
}

/** @internal What pages and request steps use of the agent. */
export interface AgentCore {
  readonly fetcher: Fetcher;
  /** The profile; setting a login status also emits `loginStatus` (login popups wait for it). */
  readonly profile: Profile;
  readonly events: Emitter<CoreEventMap>;
  readonly clock: Clock;
  readonly random: Random;
  readonly dialogs: DialogHost;
  readonly settings: {
    delayEnabled: boolean;
    strictWellKnown: boolean;
    /** The network time one FedCM call may spend on IdP requests, ms (Infinity: no limit). */
    readonly fedcmNetworkBudgetMs: number;
  };
  /** Records a diagnostic (agent.diagnostics) and emits it; `issue` is null unless given. */
  report(diagnostic: DiagnosticInit): void;
  /**
   * Opens a popup window at `url` (a new top-level document) and hands it to the popup host.
   * `signal` is the request the popup belongs to: when it aborts, the popup closes, even while
   * its document is still loading (the load is aborted with it).
   */
  openPopup(purpose: PopupPurpose, url: URL, options?: { signal?: AbortLike }): Promise<PopupWindow>;
  /** Where SMS messages arrive for WebOTP. */
  readonly sms: SmsInbox;
}
