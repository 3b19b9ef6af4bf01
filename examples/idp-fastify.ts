import { readFileSync } from 'node:fs';
import Fastify from 'fastify';
import formbody from '@fastify/formbody';
import { createIdp, openStore } from 'fedkit/idp';
import { fedkitIdp, fedkitWellKnown } from 'fedkit/idp/fastify';

const env = process.env;
const store = await openStore(env.DATABASE ?? './idp.db'); // users and clients: fedkit idp user add / client add
// The issuer's path is the plugin's prefix: every URL the IdP serves starts with it.
const idp = createIdp({ issuer: env.ISSUER ?? 'https://idp.example/idp', store });

const app = Fastify({ https: { cert: readFileSync(env.TLS_CERT ?? 'cert.pem'), key: readFileSync(env.TLS_KEY ?? 'key.pem') } });
await app.register(formbody); // the app's own parsers: the plugin takes its bodies as bytes either way
app.get('/', async () => 'my existing site');
await app.register(fedkitWellKnown, { idp }); // /.well-known/web-identity, at the site's root
await app.register(fedkitIdp, { idp, prefix: new URL(idp.issuer).pathname }); // /idp/fedcm/…, /idp/.well-known/openid-configuration

await app.listen({ port: Number(env.PORT ?? 8443), host: '127.0.0.1' });
console.log(`listening on port ${(app.server.address() as { port: number }).port}; configURL ${idp.configURL}`);
