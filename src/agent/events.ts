// The agent's events: what DevTools would show (dialogs, network, issues), as typed Node events.

import { EventEmitter } from 'node:events';
import type { Diagnostic } from './diagnostics.js';
import type { FetchRecord } from './fedcm/context.js';
import type { Dialog } from './mediation/dialog.js';
import type { Popup } from './popups/popup.js';
import type { LoginStatus } from './profile/profile.js';

export interface AgentEventMap {
  /** FedCm.dialogShown. */
  dialogShown: [dialog: Dialog];
  /** FedCm.dialogClosed. */
  dialogClosed: [event: { dialogId: string }];
  /** Something went wrong or looks wrong (Audits.issueAdded + the console line). */
  diagnostic: [diagnostic: Diagnostic];
  /** A network exchange made by the agent (FedCM endpoints, pictures, navigations). */
  fetch: [record: FetchRecord];
  /** The agent opened an IdP popup (login or continuation page); drive it through `popup.frame`. */
  popup: [popup: Popup];
  /** A login status was set (by Set-Login, navigator.login or an accounts fetch). */
  loginStatus: [event: { origin: string; status: LoginStatus }];
}

export class AgentEvents extends EventEmitter<AgentEventMap> {}
