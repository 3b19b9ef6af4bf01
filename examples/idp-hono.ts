import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import { createIdp, IDP_ROUTES, openStore, serve, type ConnectionInfo } from 'fedkit/idp';

const env = process.env;
const store = await openStore(env.DATABASE ?? './idp.db'); // users and clients: fedkit idp user add / client add
const idp = createIdp({ issuer: env.ISSUER ?? 'https://idp.example/idp', store });

const app = new Hono<{ Bindings: ConnectionInfo }>();
app.get('/', (c) => c.text('my existing site'));
// Every route the IdP serves, from the one list (the well-known file, the FedCM endpoints, the
// OpenID discovery document that verifyIdentityToken reads); c.req.raw is the web Request.
for (const route of IDP_ROUTES) {
  app.all(new URL(idp.urls[route.name]).pathname, (c) => idp(c.req.raw, c.env));
}

// On Node, the kit's adapter serves the app and hands { remoteAddress } to Hono as c.env.
const tls = { cert: readFileSync(env.TLS_CERT ?? 'cert.pem'), key: readFileSync(env.TLS_KEY ?? 'key.pem') };
const server = await serve((request, info) => app.fetch(request, info), { port: Number(env.PORT ?? 8443), tls });
console.log(`listening on port ${server.port}; configURL ${idp.configURL}`);
