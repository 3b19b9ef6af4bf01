// Hostile IdPs, part 3: the ID assertion, disconnect() and the IdP's popups.
import { hostileSuite } from './suite.js';
import { assertionCases } from './cases/assertion.js';
import { disconnectCases } from './cases/disconnect.js';
import { popupCases } from './cases/popups.js';

hostileSuite('hostile: assertion, disconnect, popups', [...assertionCases, ...disconnectCases, ...popupCases]);
