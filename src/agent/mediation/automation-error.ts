// The errors of the automation commands, named as WebDriver's error codes (WebDriver §6.6).

/** Errors of the automation commands, named as WebDriver's error codes. */
export class AutomationError extends Error {
  override readonly name = 'AutomationError';
  constructor(
    readonly error: 'no such alert' | 'invalid argument',
    message: string,
  ) {
    super(message);
  }
}
