// Opening the RP page: the navigation, logged and put in the report, within the deadline.

import type { Agent, Frame } from '../../agent/index.js';
import type { Log } from './reporter.js';
import { race } from './wait.js';

export async function open(agent: Agent, url: URL, log: Log, signal: AbortSignal): Promise<Frame> {
  log.step(`Opening ${url.href}`);
  log.progress.start(`loading ${url.href}`);
  const frame = await race(agent.open(url), signal);
  log.progress.stop();
  const status = frame.response?.status;
  log.report.navigations.push({ url: frame.url.href, method: 'GET', ...(status === undefined ? {} : { status }), title: titleOf(frame) });
  if (status !== undefined && status >= 400) log.line(`${log.style.yellow('!')} The page answered ${status}.`);
  return frame;
}

export function titleOf(frame: Frame): string {
  try {
    return frame.document.title;
  } catch {
    return '';
  }
}
