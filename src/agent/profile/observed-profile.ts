// The profile as the agent's core holds it: the embedder's Profile, with every login status set
// through it announced (login popups wait for the 'loginStatus' event, agent.ts). Each method
// hands on to the profile itself. A Proxy did this before, and every profile read of every
// sign-in went through its trap and bound a new function (issue 15 §3: ~0.3 µs a call, a dozen
// calls a sign-in); `implements Profile` keeps this list complete as the interface grows.

import type { Connection, DismissEmbargo, LoginStatus, Profile, StoredCredential, StoredCredentialKey } from './profile.js';

export class ObservedProfile implements Profile {
  readonly #profile: Profile;
  readonly #onLoginStatus: (origin: string, status: LoginStatus) => void;

  constructor(profile: Profile, onLoginStatus: (origin: string, status: LoginStatus) => void) {
    this.#profile = profile;
    this.#onLoginStatus = onLoginStatus;
  }

  getLoginStatus(origin: string): LoginStatus | undefined {
    return this.#profile.getLoginStatus(origin);
  }

  /** Login Status §"set the login status": stored first, then announced. */
  setLoginStatus(origin: string, status: LoginStatus): void {
    this.#profile.setLoginStatus(origin, status);
    this.#onLoginStatus(origin, status);
  }

  connections(filter: { embedder: string; rp: string; idp: string }): Connection[] {
    return this.#profile.connections(filter);
  }

  addConnection(connection: Connection): void {
    this.#profile.addConnection(connection);
  }

  removeConnections(filter: { embedder: string; rp: string; idp: string; accountId?: string }): number {
    return this.#profile.removeConnections(filter);
  }

  preventsSilentAccess(origin: string): boolean {
    return this.#profile.preventsSilentAccess(origin);
  }

  setPreventSilentAccess(origin: string, value: boolean): void {
    this.#profile.setPreventSilentAccess(origin, value);
  }

  getDismissEmbargo(site: string): DismissEmbargo | undefined {
    return this.#profile.getDismissEmbargo(site);
  }

  setDismissEmbargo(site: string, embargo: DismissEmbargo | undefined): void {
    this.#profile.setDismissEmbargo(site, embargo);
  }

  getLastAutoReauthn(site: string): number | undefined {
    return this.#profile.getLastAutoReauthn(site);
  }

  setLastAutoReauthn(site: string, at: number | undefined): void {
    this.#profile.setLastAutoReauthn(site, at);
  }

  storedCredentials(origin: string): StoredCredential[] {
    return this.#profile.storedCredentials(origin);
  }

  putStoredCredential(credential: StoredCredential): void {
    this.#profile.putStoredCredential(credential);
  }

  deleteStoredCredential(key: StoredCredentialKey): boolean {
    return this.#profile.deleteStoredCredential(key);
  }

  silentAccessAllowed(origin: string): boolean {
    return this.#profile.silentAccessAllowed(origin);
  }

  setSilentAccessAllowed(origin: string, allowed: boolean): void {
    this.#profile.setSilentAccessAllowed(origin, allowed);
  }
}
