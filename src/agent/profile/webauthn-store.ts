// Where authenticators and their public key credential sources (WebAuthn §4 "public key
// credential source") live. The interface is synchronous, like the agent Profile, so a SQLite
// profile (better-sqlite3) can implement it directly; the default keeps everything in memory.
//
// Private keys are stored only here, only as PKCS#8 (RFC 5958) DER in base64url, which is also
// the WebDriver "Credential Parameters" privateKey encoding (WebAuthn §11.5, WebDriver extension). Nothing else in the module
// serializes them: diagnostics, errors and logs name credentials by their credential ID only.

import { inspect } from 'node:util';

/** The transports of WebAuthn §5.8.4 (AuthenticatorTransport). */
export type AuthenticatorTransport = 'usb' | 'nfc' | 'ble' | 'smart-card' | 'hybrid' | 'internal';

/** A virtual authenticator's properties: WebDriver §11.2 "Virtual Authenticators" plus fedkit's. */
export interface StoredAuthenticator {
  /** WebDriver authenticatorId. */
  id: string;
  protocol: 'ctap2' | 'ctap2_1';
  transport: AuthenticatorTransport;
  hasResidentKey: boolean;
  hasUserVerification: boolean;
  isUserConsenting: boolean;
  isUserVerified: boolean;
  extensions: string[];
  defaultBackupEligibility: boolean;
  defaultBackupState: boolean;
  /** The AAGUID, lower-case hex without dashes (32 digits). */
  aaguid: string;
  /** COSE algorithms this authenticator can create keys for, in its own preference order. */
  algorithms: number[];
  /** The attestation statement format it produces when the RP expresses no preference. */
  attestation: 'packed' | 'none';
  /** ms since epoch (agent clock); authenticators are listed oldest first. */
  createdAt: number;
}

/** A public key credential source held by an authenticator (WebAuthn §4, WebDriver §11.5). */
export interface StoredCredential {
  authenticatorId: string;
  /** Credential ID, base64url. */
  credentialId: string;
  rpId: string;
  /** User handle, base64url; null for credentials added without one. */
  userHandle: string | null;
  userName: string;
  userDisplayName: string;
  /** A client-side discoverable credential (WebAuthn §6.2.2). */
  isResidentCredential: boolean;
  /** COSE algorithm of the key. */
  algorithm: number;
  /** PKCS#8 DER of the private key, base64url. Never logged. */
  privateKey: string;
  /** The signature counter, or null when the credential has none (WebDriver Add Credential). */
  signCount: number | null;
  backupEligibility: boolean;
  backupState: boolean;
  /** ms since epoch (agent clock); used to offer the newest discoverable credential first. */
  createdAt: number;
}

/**
 * What the agent profile implements to keep WebAuthn state. All methods are synchronous and
 * must persist before returning (a sign counter that goes backwards after a crash makes RPs
 * suspect a cloned authenticator, WebAuthn §6.1.1).
 */
export interface WebAuthnStore {
  listAuthenticators(): StoredAuthenticator[];
  /** Inserts or replaces by `id`. */
  putAuthenticator(authenticator: StoredAuthenticator): void;
  /** Removes the authenticator and every credential it holds. */
  deleteAuthenticator(id: string): void;
  listCredentials(authenticatorId: string): StoredCredential[];
  getCredential(authenticatorId: string, credentialId: string): StoredCredential | undefined;
  /** Inserts or replaces by (authenticatorId, credentialId). */
  putCredential(credential: StoredCredential): void;
  /** Returns whether a credential was removed. */
  deleteCredential(authenticatorId: string, credentialId: string): boolean;
}

/** Copies a record and hides its private key from util.inspect / console.log. */
export function redactedCopy(credential: StoredCredential): StoredCredential {
  const copy = { ...credential };
  Object.defineProperty(copy, inspect.custom, {
    enumerable: false,
    value: () => ({ ...credential, privateKey: '[redacted]' }),
  });
  return copy;
}

/** The default store: in memory, gone with the agent. */
export class MemoryWebAuthnStore implements WebAuthnStore {
  readonly #authenticators = new Map<string, StoredAuthenticator>();
  readonly #credentials = new Map<string, Map<string, StoredCredential>>();

  listAuthenticators(): StoredAuthenticator[] {
    return [...this.#authenticators.values()].map((a) => ({ ...a, extensions: [...a.extensions], algorithms: [...a.algorithms] }));
  }

  putAuthenticator(authenticator: StoredAuthenticator): void {
    this.#authenticators.set(authenticator.id, { ...authenticator, extensions: [...authenticator.extensions], algorithms: [...authenticator.algorithms] });
    if (!this.#credentials.has(authenticator.id)) this.#credentials.set(authenticator.id, new Map());
  }

  deleteAuthenticator(id: string): void {
    this.#authenticators.delete(id);
    this.#credentials.delete(id);
  }

  listCredentials(authenticatorId: string): StoredCredential[] {
    return [...(this.#credentials.get(authenticatorId)?.values() ?? [])].map(redactedCopy);
  }

  getCredential(authenticatorId: string, credentialId: string): StoredCredential | undefined {
    const c = this.#credentials.get(authenticatorId)?.get(credentialId);
    return c && redactedCopy(c);
  }

  putCredential(credential: StoredCredential): void {
    let map = this.#credentials.get(credential.authenticatorId);
    if (!map) {
      map = new Map();
      this.#credentials.set(credential.authenticatorId, map);
    }
    map.set(credential.credentialId, { ...credential });
  }

  deleteCredential(authenticatorId: string, credentialId: string): boolean {
    return this.#credentials.get(authenticatorId)?.delete(credentialId) ?? false;
  }

  [inspect.custom](): string {
    return `MemoryWebAuthnStore { ${this.#authenticators.size} authenticator(s) }`;
  }
}
