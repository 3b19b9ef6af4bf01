// The IdP kit's node:http adapter (shared with the RP: it lives in src/common).
export * from '../common/node-server.js';
