// Hostile IdPs, part 1: the well-known file and the config file.
import { hostileSuite } from './suite.js';
import { wellKnownCases } from './cases/well-known.js';
import { configCases } from './cases/config.js';

hostileSuite('hostile: well-known and config', [...wellKnownCases, ...configCases]);
