// Login Status §"navigator.login": an IdP page declares its own login status.

import { isSameSite } from '../../common/site.js';
import type { AgentCore } from '../core.js';
import type { AgentDocument } from '../document/document.js';

export class NavigatorLogin {
  readonly #core: AgentCore;
  readonly #frame: AgentDocument;

  /** @internal */
  constructor(core: AgentCore, frame: AgentDocument) {
    this.#core = core;
    this.#frame = frame;
  }

  /**
   * `setStatus(status)`: sets the login status of this document's origin. The spec throws
   * SecurityError when the document is not same-site with all its ancestors; Chromium resolves
   * and ignores the call. fedkit follows Chromium and reports a diagnostic (docs/decisions.md).
   */
  setStatus(status: 'logged-in' | 'logged-out'): Promise<void> {
    const value: unknown = status;
    if (value !== 'logged-in' && value !== 'logged-out') {
      return Promise.reject(
        new TypeError(`Failed to execute 'setStatus' on 'NavigatorLogin': The provided value '${String(value)}' is not a valid enum value of type LoginStatus.`),
      );
    }
    const frame = this.#frame;
    if (!frame.fullyActive) return Promise.reject(new DOMException('The document is not fully active.', 'InvalidStateError'));
    const crossSite = frame.ancestorOrigins.find((a) => frame.origin === 'null' || a === 'null' || !isSameSite(a, frame.origin));
    if (crossSite !== undefined) {
      this.#core.report({
        reason: 'SetLoginIgnored',
        level: 'warning',
        message: 'navigator.login.setStatus() was ignored.',
        detail: `${frame.origin} is in a frame that is not same-site with its ancestor ${crossSite}; only documents same-site with all their ancestors may set their login status.`,
        url: frame.url.href,
      });
      return Promise.resolve();
    }
    this.#core.profile.setLoginStatus(frame.origin, value);
    return Promise.resolve();
  }
}
