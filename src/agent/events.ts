// The agent's events: what DevTools would show (dialogs, network, issues), as typed Node events.

import { EventEmitter } from 'node:events';
import type { Diagnostic } from './diagnostics.js';
import type { FetchRecord } from './fedcm/context.js';
import type { Dialog } from './mediation/dialog.js';

export interface AgentEventMap {
  /** FedCm.dialogShown. */
  dialogShown: [dialog: Dialog];
  /** FedCm.dialogClosed. */
  dialogClosed: [event: { dialogId: string }];
  /** Something went wrong or looks wrong (Audits.issueAdded + the console line). */
  diagnostic: [diagnostic: Diagnostic];
  /** A network exchange made by the agent (FedCM endpoints, pictures, navigations). */
  fetch: [record: FetchRecord];
}

export class AgentEvents extends EventEmitter<AgentEventMap> {}
