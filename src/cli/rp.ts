// `fedkit rp serve`: the reference relying party alone, in front of any FedCM IdP, with the same
// settings sources, request log, health endpoints and graceful stop as `fedkit idp serve`.

import { SUMMARIES } from './summaries.js';
import { serve } from '../common/node-server.js';
import { createRpApp } from '../rp/app/app.js';
import { UsageError } from './args.js';
import { leaf, type Group, type Leaf } from './command.js';
import { withHealth } from './health.js';
import { LOG_FORMATS, serverLogger, type LogFormat } from './server-log.js';
import { resolveSettings, settingOptions, settingsHelp, type SettingSpec } from './settings.js';
import { drain, SHUTDOWN_GRACE_MS, trackInFlight } from './shutdown.js';

export const RP_SETTINGS: readonly SettingSpec[] = [
  { flag: 'config-url', env: 'FEDKIT_RP_CONFIG_URL', kind: { type: 'url' }, valueName: '<url>', description: "the IdP's FedCM config URL (required)", required: true },
  { flag: 'client-id', env: 'FEDKIT_RP_CLIENT_ID', kind: { type: 'string' }, valueName: '<id>', description: "this RP's client id at the IdP (required)", required: true },
  { flag: 'origin', env: 'FEDKIT_RP_ORIGIN', kind: { type: 'url' }, valueName: '<url>', description: "the RP's public origin (default https://localhost:<port>, or http:// without --cert)" },
  { flag: 'port', env: 'FEDKIT_RP_PORT', kind: { type: 'port' }, valueName: '<port>', description: 'port to listen on (default 8443; 0 picks a free one)', default: 8443 },
  { flag: 'host', env: 'FEDKIT_RP_HOST', kind: { type: 'string' }, valueName: '<address>', description: 'address to listen on (default 127.0.0.1; 0.0.0.0 in a container)', default: '127.0.0.1' },
  { flag: 'database', env: 'FEDKIT_RP_DATABASE', kind: { type: 'database' }, valueName: '<file>', description: 'SQLite file for users and sessions (default ./fedkit-rp.db)', default: './fedkit-rp.db' },
  { flag: 'idp-name', env: 'FEDKIT_RP_IDP_NAME', kind: { type: 'string' }, valueName: '<name>', description: 'the IdP name on the button (default: its host)' },
  { flag: 'issuer', env: 'FEDKIT_RP_ISSUER', kind: { type: 'url' }, valueName: '<url>', description: "the IdP's token issuer (default: the config URL's origin)" },
  { flag: 'jwks-uri', env: 'FEDKIT_RP_JWKS_URI', kind: { type: 'url' }, valueName: '<url>', description: "the IdP's JWKS (default: from its OpenID configuration)" },
  {
    flag: 'host-rules',
    env: 'FEDKIT_RP_HOST_RULES',
    kind: { type: 'host-rules' },
    valueName: '<rules>',
    description: 'where the server-side fetches of the IdP connect, as Chromium\'s --host-resolver-rules ("MAP idp.test 127.0.0.1:8443")',
  },
  { flag: 'ca', env: 'FEDKIT_RP_CA', kind: { type: 'file' }, valueName: '<pem file>', description: "extra CA trusted for the IdP's certificate (e.g. fedkit cert's local CA)" },
  { flag: 'cert', env: 'FEDKIT_RP_CERT', kind: { type: 'file' }, valueName: '<pem file>', description: 'TLS certificate: serve HTTPS' },
  { flag: 'key', env: 'FEDKIT_RP_KEY', kind: { type: 'file' }, valueName: '<pem file>', description: 'TLS private key' },
  { flag: 'log', env: 'FEDKIT_LOG', kind: { type: 'enum', values: LOG_FORMATS }, valueName: 'pretty|json', description: 'request log: one line per request (default) or JSON lines', default: 'pretty' },
];

const USAGE =
  'fedkit rp serve --config-url <url> --client-id <id> [--origin <url>] [--port 8443] [--database ./fedkit-rp.db] [--host-rules <rules>] [--ca <pem>] [--jwks-uri <url>] [--cert <pem> --key <pem>] [--log pretty|json] [--config <file.json>]';
const SUMMARY = 'Serve the reference relying party (sign-in page, token verification, sessions).';

export function rpServeCommand(env: NodeJS.ProcessEnv = process.env): Leaf {
  return leaf(
    SUMMARY,
    USAGE,
    settingOptions(RP_SETTINGS),
    async (p, io) => {
      const s = resolveSettings(RP_SETTINGS, 'rp', p, env);
      const str = (name: string) => s[name] as string | undefined;
      const certPem = str('cert');
      const keyPem = str('key');
      if ((certPem === undefined) !== (keyPem === undefined)) throw new UsageError('--cert and --key go together');
      const tls = certPem !== undefined && keyPem !== undefined ? { cert: certPem, key: keyPem } : undefined;
      const log = serverLogger(io, str('log') as LogFormat, 'fedkit rp');
      let app: ReturnType<typeof createRpApp> | undefined;
      const health = { stopping: false };
      const server = await serve(
        withHealth((request) => (app ? app.fetch(request) : Promise.resolve(new Response('starting', { status: 503 }))), async () => app?.store.ping(), health),
        {
          port: s['port'] as number,
          host: str('host')!,
          ...(tls ? { tls } : {}),
          onError: (error, req, requestId) => log.error({ err: error, reqId: requestId, method: req.method }, 'request failed'),
        },
      );
      const inFlight = trackInFlight(server);
      const origin = str('origin') ?? `${tls ? 'https' : 'http'}://localhost:${server.port}`;
      const configURL = str('config-url')!;
      const clientId = str('client-id')!;
      try {
        app = createRpApp({
          origin,
          idp: {
            configURL,
            clientId,
            ...(str('idp-name') === undefined ? {} : { name: str('idp-name')! }),
            ...(str('issuer') === undefined ? {} : { issuer: str('issuer')! }),
            ...(str('jwks-uri') === undefined ? {} : { jwksUri: str('jwks-uri')! }),
          },
          database: str('database')!,
          ...(str('host-rules') === undefined ? {} : { hostRules: str('host-rules')! }),
          ...(str('ca') === undefined ? {} : { ca: str('ca')! }),
          logger: log,
        });
      } catch (e) {
        await server.close();
        throw e;
      }
      log.info({ origin, url: server.url, configURL, clientId }, `${origin}/ (listening on ${server.url}) signing in with ${configURL} as client ${clientId}`);
      await io.stopped;
      health.stopping = true;
      log.info({ inFlight: inFlight.count }, `stopping: finishing ${inFlight.count} request(s) in flight (at most ${SHUTDOWN_GRACE_MS / 1000} s)`);
      if (!(await drain(server))) log.warn({}, `requests still in flight after ${SHUTDOWN_GRACE_MS / 1000} s were cut off`);
      app.close();
      log.info({}, 'stopped');
      return 0;
    },
    { moreHelp: settingsHelp(RP_SETTINGS, 'rp') },
  );
}

export const rpCommand: Group = {
  summary: SUMMARIES.rp,
  commands: { serve: rpServeCommand() },
};
