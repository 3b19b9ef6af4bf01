// The request log of `fedkit idp serve` and `fedkit rp serve`: pino, writing JSON lines
// (`--log json`) or, by default, one readable line per record, formatted here from pino's own
// JSON (pino-pretty is not a dependency). Redaction is pino's, as a second line of defence: the
// kit never puts a header, a body or a query string in a record in the first place.

import { pino, type Logger as Pino } from 'pino';
import type { Io } from './command.js';

export type LogFormat = 'pretty' | 'json';
export const LOG_FORMATS: readonly LogFormat[] = ['pretty', 'json'];

/**
 * Field names that would hold a secret if any code ever logged one. pino replaces their values
 * with "[redacted]" wherever they appear at these depths.
 */
const REDACT = ['password', 'token', 'nonce', 'cookie', 'authorization', 'secret', 'id_token', 'headers', 'body'].flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);

/** A pino logger for one server (`name`: "fedkit idp", "fedkit rp") writing to io.stdout. */
export function serverLogger(io: Io, format: LogFormat, name: string): Pino {
  const options = { base: { name }, redact: { paths: REDACT, censor: '[redacted]' } };
  if (format === 'json') return pino(options, { write: (line: string) => io.stdout(line) });
  const colour = io.isTTY === true;
  return pino(options, { write: (line: string) => io.stdout(prettyLine(line, colour)) });
}

const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/**
 * One pino record as one line: `fedkit idp: 12:00:01.234 POST /fedcm/assertion 400 3.2ms
 * req=Ab12… unauthorized_client: No client …`; other records are `fedkit idp: <message>`, an
 * error's stack on the lines after it.
 */
export function prettyLine(json: string, colour = false): string {
  let r: Record<string, unknown>;
  try {
    r = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const name = typeof r['name'] === 'string' ? r['name'] : 'fedkit';
  const paint = (code: number, text: string) => (colour ? `\u001b[${code}m${text}\u001b[0m` : text);
  if (r['msg'] === 'request' && typeof r['status'] === 'number') {
    const status = r['status'];
    const time = new Date(typeof r['time'] === 'number' ? r['time'] : Date.now()).toISOString().slice(11, 23);
    const shown = paint(status >= 500 ? 31 : status >= 400 ? 33 : 32, String(status));
    const reason = typeof r['reason'] === 'string' ? ` ${r['reason']}` : '';
    return `${name}: ${time} ${String(r['method'])} ${String(r['path'])} ${shown} ${String(r['ms'])}ms req=${String(r['reqId'])}${reason}\n`;
  }
  const level = typeof r['level'] === 'number' ? r['level'] : 30;
  const prefix = level >= 40 ? `${paint(level >= 50 ? 31 : 33, LEVELS[level] ?? 'error')}: ` : '';
  const req = typeof r['reqId'] === 'string' ? ` (request ${r['reqId']}${typeof r['method'] === 'string' ? ` ${r['method']} ${String(r['path'])}` : ''})` : '';
  const err = r['err'] as { stack?: unknown; message?: unknown } | undefined;
  const stack = err === undefined ? '' : `\n${String(err.stack ?? err.message)}`;
  return `${name}: ${prefix}${String(r['msg'] ?? '')}${req}${stack}\n`;
}
