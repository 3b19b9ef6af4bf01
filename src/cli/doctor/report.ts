// The doctor's report on a terminal: findings grouped by what they are about, in the order a
// sign-in meets them, errors first in each group, each with what was seen and the fix, then a
// one-line verdict. Colour only on a terminal (NO_COLOR respected).

import type { Finding, FindingLevel, FindingTarget } from '../../doctor/index.js';
import type { Style } from '../terminal/style.js';

const TARGETS: readonly FindingTarget[] = [
  'rp page',
  'well-known file',
  'config file',
  'login page',
  'accounts endpoint',
  'account picture',
  'cookies',
  'login status',
  'client metadata endpoint',
  'id assertion endpoint',
  'token',
  'disconnect endpoint',
];

const ORDER: Record<FindingLevel, number> = { error: 0, warning: 1, info: 2 };

function mark(level: FindingLevel, style: Style): string {
  switch (level) {
    case 'error':
      return style.red('✖ error  ');
    case 'warning':
      return style.yellow('▲ warning');
    case 'info':
      return style.dim('· info   ');
  }
}

/** The report as lines of text. */
export function formatReport(subject: string, findings: readonly Finding[], style: Style, options: { strict: boolean }): string {
  const lines: string[] = [style.bold(`fedkit doctor ${subject}`), ''];
  for (const target of TARGETS) {
    const group = findings.filter((f) => f.target === target).sort((a, b) => ORDER[a.level] - ORDER[b.level]);
    if (group.length === 0) continue;
    lines.push(style.bold(target));
    for (const f of group) {
      lines.push(`  ${mark(f.level, style)}  ${style.bold(f.id)}  ${f.seen}`);
      lines.push(`             ${style.cyan('→')} ${f.fix}`);
    }
    lines.push('');
  }
  const count = (level: FindingLevel): number => findings.filter((f) => f.level === level).length;
  const errors = count('error');
  const warnings = count('warning');
  const infos = count('info');
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const tally = `${plural(errors, 'error')}, ${plural(warnings, 'warning')}, ${plural(infos, 'note')}`;
  if (errors > 0) lines.push(`${style.red(style.bold('✖'))} ${tally}: Chrome will fail here; fix the errors first.`);
  else if (warnings > 0 && options.strict) lines.push(`${style.yellow(style.bold('▲'))} ${tally}: no error, but --strict fails on warnings.`);
  else if (warnings > 0) lines.push(`${style.green(style.bold('✔'))} ${tally}: Chrome will work; the warnings are worth fixing.`);
  else lines.push(`${style.green(style.bold('✔'))} ${tally}: nothing stands in Chrome's way${findings.some((f) => f.id === 'ProbeSkipped') ? ' in what was checked (some probes did not run: see the notes)' : ''}.`);
  return `${lines.join('\n')}\n`;
}
