// Colour for the CLI's terminal output: ANSI SGR styles when enabled, plain text otherwise, and
// the text as it shows on screen.

export interface Style {
  readonly enabled: boolean;
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  inverse(s: string): string;
}

/** Colour only on a terminal, and never when NO_COLOR is set to something (no-color.org). */
export function colourEnabled(stream: { isTTY?: boolean } | undefined, env: Record<string, string | undefined> = process.env): boolean {
  return stream?.isTTY === true && (env['NO_COLOR'] === undefined || env['NO_COLOR'] === '');
}

export function createStyle(enabled: boolean): Style {
  const sgr =
    (open: number, close: number) =>
    (s: string): string =>
      enabled ? `\x1b[${open}m${s}\x1b[${close}m` : s;
  return {
    enabled,
    bold: sgr(1, 22),
    dim: sgr(2, 22),
    red: sgr(31, 39),
    green: sgr(32, 39),
    yellow: sgr(33, 39),
    cyan: sgr(36, 39),
    inverse: sgr(7, 27),
  };
}

/** The text as it shows on screen (escape sequences removed). */
export function visible(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
}
