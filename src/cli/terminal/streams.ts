// The terminal's two streams as the CLI uses them: the keyboard and the screen.
//
// The streams are injectable: tests drive the chooser with a fake input that "types" escape
// sequences, and read what was drawn from a fake output.

/** The keyboard side: process.stdin, or a test's stream. */
export interface TerminalInput {
  isTTY?: boolean;
  setRawMode?: (mode: boolean) => unknown;
  on(event: 'data', listener: (chunk: string | Buffer) => void): unknown;
  off(event: 'data', listener: (chunk: string | Buffer) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

/** Where the chooser draws: process.stdout (or stderr under --json), or a test's stream. */
export interface TerminalOutput {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}
