// Differential harness (docs/differential.md): the agent against Chromium's goldens.
import { differentialSuite } from './suite.js';

differentialSuite('endpoints', [0, 23]);
