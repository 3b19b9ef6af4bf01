// `fedkit idp serve`: the reference IdP as a server: settings from flags, environment and a
// config file (settings.ts), a request log (server-log.ts), /healthz and /readyz (health.ts),
// and a graceful stop on SIGTERM (shutdown.ts).

import { createIdp, openStore, serve, SqliteStore } from '../idp/index.js';
import { UsageError } from './args.js';
import { leaf, type Leaf } from './command.js';
import { withHealth } from './health.js';
import { LOG_FORMATS, serverLogger, type LogFormat } from './server-log.js';
import { resolveSettings, settingOptions, settingsHelp, type SettingSpec } from './settings.js';
import { drain, SHUTDOWN_GRACE_MS, trackInFlight } from './shutdown.js';

export const DEFAULT_DATABASE = './fedkit-idp.db';

export const IDP_SETTINGS: readonly SettingSpec[] = [
  { flag: 'port', env: 'FEDKIT_IDP_PORT', kind: { type: 'port' }, valueName: '<port>', description: 'port to listen on (default 8080; 0 picks a free one)', default: 8080 },
  { flag: 'host', env: 'FEDKIT_IDP_HOST', kind: { type: 'string' }, valueName: '<address>', description: 'address to listen on (default 127.0.0.1; 0.0.0.0 in a container)', default: '127.0.0.1' },
  { flag: 'database', env: 'FEDKIT_DATABASE_URL', kind: { type: 'database' }, valueName: '<file|postgres://…>', description: `SQLite file or PostgreSQL URL (default ${DEFAULT_DATABASE})`, default: DEFAULT_DATABASE },
  {
    flag: 'synchronous',
    env: 'FEDKIT_IDP_SYNCHRONOUS',
    kind: { type: 'enum', values: ['normal', 'full'] },
    valueName: 'normal|full',
    description: "SQLite: 'full' syncs every write to disk before answering, so none is lost to a power cut (slower); default normal (docs/idp.md)",
  },
  { flag: 'issuer', env: 'FEDKIT_IDP_ISSUER', kind: { type: 'url', trustworthy: true }, valueName: '<url>', description: 'public base URL and token issuer (default http(s)://localhost:<port>)' },
  { flag: 'cert', env: 'FEDKIT_IDP_CERT', kind: { type: 'file' }, valueName: '<pem file>', description: 'TLS certificate: serve HTTPS' },
  { flag: 'key', env: 'FEDKIT_IDP_KEY', kind: { type: 'file' }, valueName: '<pem file>', description: 'TLS private key (with --cert)' },
  { flag: 'log', env: 'FEDKIT_LOG', kind: { type: 'enum', values: LOG_FORMATS }, valueName: 'pretty|json', description: 'request log: one line per request (default) or JSON lines', default: 'pretty' },
];

const isPostgres = (database: string) => /^postgres(ql)?:/i.test(database);

export function idpServeCommand(env: NodeJS.ProcessEnv = process.env): Leaf {
  return leaf(
    'Serve the reference FedCM identity provider.',
    'fedkit idp serve [--port 8080] [--host 127.0.0.1] [--database <file|postgres://…>] [--synchronous normal|full] [--issuer <url>] [--cert <pem> --key <pem>] [--log pretty|json] [--config <file.json>]',
    settingOptions(IDP_SETTINGS),
    async (p, io) => {
      const s = resolveSettings(IDP_SETTINGS, 'idp', p, env);
      const cert = s['cert'] as string | undefined;
      const key = s['key'] as string | undefined;
      if ((cert === undefined) !== (key === undefined)) throw new UsageError('--cert and --key go together');
      const tls = cert === undefined || key === undefined ? undefined : { cert, key };
      const database = s['database'] as string;
      const synchronous = s['synchronous'] as 'normal' | 'full' | undefined;
      if (synchronous !== undefined && isPostgres(database)) {
        throw new UsageError("--synchronous is SQLite's: a PostgreSQL store's durability is the server's synchronous_commit (docs/idp.md)");
      }
      const log = serverLogger(io, s['log'] as LogFormat, 'fedkit idp');
      const store = await openStore(database, synchronous === undefined ? {} : { synchronous });
      try {
        // With --port 0 the issuer must name the port the OS picked, so listen before creating the IdP.
        let handler: ReturnType<typeof createIdp> | undefined;
        const health = { stopping: false };
        const server = await serve(
          withHealth((request, info) => (handler === undefined ? new Response('starting', { status: 503 }) : handler(request, info)), () => store.migrations(), health),
          {
            port: s['port'] as number,
            host: s['host'] as string,
            ...(tls === undefined ? {} : { tls }),
            onError: (error, req, requestId) => log.error({ err: error, reqId: requestId, method: req.method }, 'request failed'),
          },
        );
        const inFlight = trackInFlight(server);
        const issuer = (s['issuer'] as string | undefined) ?? `${tls === undefined ? 'http' : 'https'}://localhost:${server.port}`;
        try {
          handler = createIdp({ issuer, store, logger: log });
        } catch (e) {
          await server.close();
          throw new UsageError(e instanceof Error ? e.message : String(e));
        }
        await handler.jwks(); // creates the signing key on first start, before the first request
        const purge = setInterval(() => void handler?.purgeExpired().catch((e: unknown) => log.error({ err: e }, 'purging expired rows failed')), 3600_000);
        purge.unref();
        log.info({ url: server.url }, `listening on ${server.url}`);
        log.info({ issuer }, `issuer ${issuer}`);
        log.info({ configURL: handler.configURL }, `config URL ${handler.configURL}`);
        const durability = store instanceof SqliteStore ? ` (synchronous=${store.synchronous})` : '';
        const shown = isPostgres(database) ? database.replace(/\/\/[^@/]*@/, '//…@') : database;
        log.info({ database: shown }, `database ${shown}${durability}`);
        await io.stopped;
        clearInterval(purge);
        health.stopping = true;
        log.info({ inFlight: inFlight.count }, `stopping: finishing ${inFlight.count} request(s) in flight (at most ${SHUTDOWN_GRACE_MS / 1000} s)`);
        if (!(await drain(server))) log.warn({}, `requests still in flight after ${SHUTDOWN_GRACE_MS / 1000} s were cut off`);
        log.info({}, 'stopped');
        return 0;
      } finally {
        await store.close();
      }
    },
    { moreHelp: settingsHelp(IDP_SETTINGS, 'idp') },
  );
}
