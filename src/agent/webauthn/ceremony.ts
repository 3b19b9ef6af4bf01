// The lifetime of a WebAuthn ceremony: its timeout (lifetimeTimer) and the one abort signal that
// ends it, on the page's signal, on the timer or when the ceremony is over.
//
// Timeouts are taken as given (Chromium does not clamp them when virtual authenticators are
// enabled); an absent timeout means 10 minutes. `clampTimeouts` applies Chromium's normal
// 10 s – 10 min range instead.

import type { ClientEnvironment, WebAuthnContext } from './client-context.js';
import { notAllowed, report } from './client-errors.js';

/** Chromium AdjustTimeout (authenticator_common_impl.cc). */
const TIMEOUT_LOWER_MS = 10_000;
const TIMEOUT_UPPER_MS = 600_000;

/**
 * lifetimeTimer's duration in ms for the options' `timeout`, as Chromium adjusts it.
 * WebAuthn §5.1.3 step 4, §5.1.4.1 step 4.
 */
export function adjustTimeout(env: ClientEnvironment, timeout: number | undefined): number {
  if (timeout === undefined) return TIMEOUT_UPPER_MS;
  if (!env.settings.clampTimeouts) return timeout;
  return Math.max(TIMEOUT_LOWER_MS, Math.min(TIMEOUT_UPPER_MS, timeout));
}

/**
 * Runs the "while lifetimeTimer has not expired" loop body with one signal that aborts on the
 * page's signal (its reason), on the timer (NotAllowedError) and when the ceremony ends (so
 * pending prompts are cancelled, authenticatorCancel §6.3.4). `lifetimeMs` null is infinity.
 * WebAuthn §5.1.3 steps 21–22, §5.1.4.1: start lifetimeTimer and wait while it has not expired.
 */
export async function ceremony<T>(ctx: WebAuthnContext, lifetimeMs: number | null, body: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const timer = new AbortController();
  const onAbort = (): void => controller.abort(ctx.signal.reason);
  if (ctx.signal.aborted) controller.abort(ctx.signal.reason);
  else ctx.signal.addEventListener('abort', onAbort, { once: true });
  if (lifetimeMs !== null) {
    ctx.core.clock.sleep(lifetimeMs, timer.signal).then(
      () => {
        if (controller.signal.aborted) return;
        report(ctx, 'timeout', `the request timed out after ${lifetimeMs} ms.`, 'No authenticator completed the ceremony before the timeout (options.publicKey.timeout).', 'warning');
        controller.abort(notAllowed());
      },
      () => {},
    );
  }
  const aborted = new Promise<never>((_, reject) => {
    if (controller.signal.aborted) reject(controller.signal.reason);
    else controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
  });
  try {
    return await Promise.race([body(controller.signal), aborted]);
  } finally {
    timer.abort();
    ctx.signal.removeEventListener('abort', onAbort);
    if (!controller.signal.aborted) controller.abort(new DOMException('The ceremony is over.', 'AbortError'));
  }
}
