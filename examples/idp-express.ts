import { readFileSync } from 'node:fs';
import https from 'node:https';
import express from 'express';
import { createIdp, openStore } from 'fedkit/idp';
import { fedkitIdp, fedkitWellKnown } from 'fedkit/idp/express';

const env = process.env;
const store = await openStore(env.DATABASE ?? './idp.db'); // users and clients: fedkit idp user add / client add
// The issuer's path is where the IdP is mounted: every URL it serves starts with it.
const idp = createIdp({ issuer: env.ISSUER ?? 'https://idp.example/idp', store });

const app = express();
app.use(express.urlencoded()); // the app's own parsers: fedkit works after them, or without them
app.use(express.json());
app.get('/', (_req, res) => res.send('my existing site'));
app.use(fedkitWellKnown(idp)); // /.well-known/web-identity, at the site's root
app.use(new URL(idp.issuer).pathname, fedkitIdp(idp)); // /idp/fedcm/…, /idp/.well-known/openid-configuration

const tls = { cert: readFileSync(env.TLS_CERT ?? 'cert.pem'), key: readFileSync(env.TLS_KEY ?? 'key.pem') };
const server = https.createServer(tls, app).listen(Number(env.PORT ?? 8443), '127.0.0.1', () => {
  console.log(`listening on port ${(server.address() as { port: number }).port}; configURL ${idp.configURL}`);
});
