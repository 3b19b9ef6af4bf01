// The browser profile: everything the agent remembers between requests.
//
// The interface is synchronous on purpose: a browser reads this state on the request's
// critical path before any network activity (e.g. "silent mediation is not possible" is decided
// before `get()` returns), and the SQLite profile of a later issue uses better-sqlite3, which is
// synchronous too. Cookies live in the network layer's jar, not here.

/** Login Status API: the per-origin login status. Absent = "unknown". */
export type LoginStatus = 'logged-in' | 'logged-out';

/**
 * FedCM §"connected accounts set": a tuple (embedder, RP, IdP, account) recorded when a sign-in
 * completes. Chromium calls this the sharing permission.
 */
export interface Connection {
  /** Serialized origin of the top-level document. */
  embedder: string;
  /** Serialized origin of the document that called get(). */
  rp: string;
  /** Serialized origin of the IdP (of its config URL). */
  idp: string;
  accountId: string;
  /** ms since epoch (agent clock) of the last sign-in with this account. */
  lastUsed: number;
}

export interface Profile {
  getLoginStatus(origin: string): LoginStatus | undefined;
  setLoginStatus(origin: string, status: LoginStatus): void;

  connections(filter: { embedder: string; rp: string; idp: string }): Connection[];
  addConnection(connection: Connection): void;
  /** Removes matching tuples (accountId omitted: all for the triple); returns how many were removed. */
  removeConnections(filter: { embedder: string; rp: string; idp: string; accountId?: string }): number;

  /** Credential Management "prevent silent access" flag, kept per RP origin (see docs/decisions.md). */
  preventsSilentAccess(origin: string): boolean;
  setPreventSilentAccess(origin: string, value: boolean): void;

  /**
   * Chromium's dismissal embargo ("cooldown") per embedder site: after the user closes the
   * passive chooser, FedCM is off for that site until `until` (2 h, 1 d, 7 d, 28 d as
   * `count` grows). Undefined clears it.
   */
  getDismissEmbargo(site: string): DismissEmbargo | undefined;
  setDismissEmbargo(site: string, embargo: DismissEmbargo | undefined): void;

  /** When the last auto re-authentication happened on a site (Chromium's 10-minute quiet period). */
  getLastAutoReauthn(site: string): number | undefined;
  setLastAutoReauthn(site: string, at: number | undefined): void;

  /**
   * Credential Management §2.1 "credential store": the PasswordCredentials and
   * FederatedCredentials stored for `origin` (their [[origin]]), in the order they were first
   * stored (an update keeps its place). Returns copies.
   */
  storedCredentials(origin: string): StoredCredential[];
  /**
   * Stores a credential, replacing the one with the same key: (origin, id) for a password,
   * (origin, id, provider) for a federated credential.
   */
  putStoredCredential(credential: StoredCredential): void;
  /** Removes the credential with this key (CM §6.1: users MUST be able to remove them); returns whether one was removed. */
  deleteStoredCredential(key: StoredCredentialKey): boolean;

  /**
   * Whether the user let `origin` have its stored credentials without mediation (CM §5.2: "Stay
   * signed in", the spec's prevent-silent-access flag set to false by the user). Default false:
   * the spec's flag defaults to true. See docs/credentials.md.
   */
  silentAccessAllowed(origin: string): boolean;
  setSilentAccessAllowed(origin: string, allowed: boolean): void;
}

/**
 * A credential in the credential store. `password` is a secret: fedkit never puts it in a
 * diagnostic, a dialog or an event.
 */
export type StoredCredential =
  | { type: 'password'; origin: string; id: string; password: string; name: string; iconURL: string }
  | { type: 'federated'; origin: string; id: string; provider: string; protocol: string | null; name: string; iconURL: string };

/** What identifies a stored credential (`provider` for federated credentials only). */
export type StoredCredentialKey =
  | { type: 'password'; origin: string; id: string }
  | { type: 'federated'; origin: string; id: string; provider: string };

/** The key of a stored credential, as one string (for maps). */
export function storedCredentialKey(k: StoredCredentialKey): string {
  return k.type === 'password' ? key('password', k.origin, k.id) : key('federated', k.origin, k.id, k.provider);
}

export interface DismissEmbargo {
  /** ms since epoch (agent clock) until which passive requests are refused. */
  until: number;
  /** How many dismissals led here (picks the next duration). */
  count: number;
}

const key = (...parts: string[]): string => JSON.stringify(parts);

/** The default profile: everything in memory, gone when the agent closes. */
export class MemoryProfile implements Profile {
  readonly #loginStatus = new Map<string, LoginStatus>();
  readonly #connections = new Map<string, Connection>();
  readonly #preventSilentAccess = new Set<string>();
  readonly #embargo = new Map<string, DismissEmbargo>();
  readonly #lastAutoReauthn = new Map<string, number>();
  readonly #credentials = new Map<string, StoredCredential>();
  readonly #silentAccessAllowed = new Set<string>();

  getLoginStatus(origin: string): LoginStatus | undefined {
    return this.#loginStatus.get(origin);
  }

  setLoginStatus(origin: string, status: LoginStatus): void {
    this.#loginStatus.set(origin, status);
  }

  connections(filter: { embedder: string; rp: string; idp: string }): Connection[] {
    return [...this.#connections.values()].filter(
      (c) => c.embedder === filter.embedder && c.rp === filter.rp && c.idp === filter.idp,
    );
  }

  addConnection(connection: Connection): void {
    // Each part but the last after its length, so no two tuples share a key whatever they hold
    // (a template instead of JSON.stringify, which this paid on every sign-in).
    const { embedder, rp, idp, accountId } = connection;
    const k = `${embedder.length}:${embedder}${rp.length}:${rp}${idp.length}:${idp}${accountId}`;
    this.#connections.set(k, { ...connection });
  }

  removeConnections(filter: { embedder: string; rp: string; idp: string; accountId?: string }): number {
    let removed = 0;
    for (const [k, c] of this.#connections) {
      if (c.embedder !== filter.embedder || c.rp !== filter.rp || c.idp !== filter.idp) continue;
      if (filter.accountId !== undefined && c.accountId !== filter.accountId) continue;
      this.#connections.delete(k);
      removed++;
    }
    return removed;
  }

  preventsSilentAccess(origin: string): boolean {
    return this.#preventSilentAccess.has(origin);
  }

  setPreventSilentAccess(origin: string, value: boolean): void {
    if (value) this.#preventSilentAccess.add(origin);
    else this.#preventSilentAccess.delete(origin);
  }

  getDismissEmbargo(site: string): DismissEmbargo | undefined {
    const e = this.#embargo.get(site);
    return e && { ...e };
  }

  setDismissEmbargo(site: string, embargo: DismissEmbargo | undefined): void {
    if (embargo) this.#embargo.set(site, { ...embargo });
    else this.#embargo.delete(site);
  }

  getLastAutoReauthn(site: string): number | undefined {
    return this.#lastAutoReauthn.get(site);
  }

  setLastAutoReauthn(site: string, at: number | undefined): void {
    if (at === undefined) this.#lastAutoReauthn.delete(site);
    else this.#lastAutoReauthn.set(site, at);
  }

  storedCredentials(origin: string): StoredCredential[] {
    return [...this.#credentials.values()].filter((c) => c.origin === origin).map((c) => ({ ...c }));
  }

  putStoredCredential(credential: StoredCredential): void {
    // Map.set on an existing key keeps its insertion position: an update keeps its place.
    this.#credentials.set(storedCredentialKey(credential), { ...credential });
  }

  deleteStoredCredential(k: StoredCredentialKey): boolean {
    return this.#credentials.delete(storedCredentialKey(k));
  }

  silentAccessAllowed(origin: string): boolean {
    return this.#silentAccessAllowed.has(origin);
  }

  setSilentAccessAllowed(origin: string, allowed: boolean): void {
    if (allowed) this.#silentAccessAllowed.add(origin);
    else this.#silentAccessAllowed.delete(origin);
  }
}
