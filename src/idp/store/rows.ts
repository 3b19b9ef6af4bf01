// Row <-> record mapping shared by the SQLite and PostgreSQL stores. Both return snake_case
// columns; PostgreSQL returns BIGINT as a string, hence Number() everywhere.

import type { Client, ClientChanges, Grant, KeyRecord, Session, User, UserChanges } from './types.js';

export type Row = Record<string, unknown>;

function num(v: unknown): number {
  return typeof v === 'number' ? v : Number(v);
}

function numOrNull(v: unknown): number | null {
  return v === null || v === undefined ? null : num(v);
}

function str(v: unknown): string {
  return String(v);
}

function strOrNull(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}

function stringList(v: unknown): string[] {
  const parsed: unknown = JSON.parse(String(v));
  return Array.isArray(parsed) ? parsed.map(String) : [];
}

export function toUser(r: Row): User {
  return {
    id: str(r.id),
    email: str(r.email),
    name: str(r.name),
    givenName: strOrNull(r.given_name),
    picture: strOrNull(r.picture),
    username: strOrNull(r.username),
    tel: strOrNull(r.tel),
    passwordHash: str(r.password_hash),
    createdAt: num(r.created_at),
  };
}

export function toSession(r: Row): Session {
  return { idHash: str(r.id_hash), userId: str(r.user_id), createdAt: num(r.created_at), expiresAt: num(r.expires_at) };
}

export function toClient(r: Row): Client {
  return {
    id: str(r.id),
    origins: stringList(r.origins),
    privacyPolicyUrl: strOrNull(r.privacy_policy_url),
    termsOfServiceUrl: strOrNull(r.terms_of_service_url),
    createdAt: num(r.created_at),
  };
}

export function toGrant(r: Row): Grant {
  return {
    userId: str(r.user_id),
    clientId: str(r.client_id),
    fields: stringList(r.fields),
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
  };
}

export function toKey(r: Row): KeyRecord {
  const alg = str(r.alg);
  return {
    kid: str(r.kid),
    alg: alg === 'EdDSA' ? 'EdDSA' : 'ES256',
    publicJwk: str(r.public_jwk),
    privateJwk: str(r.private_jwk),
    createdAt: num(r.created_at),
    retiredAt: numOrNull(r.retired_at),
    expiresAt: numOrNull(r.expires_at),
  };
}

/** Fields are kept as a sorted, de-duplicated JSON list so two stores serialize them identically. */
export function fieldsJson(fields: Iterable<string>): string {
  return JSON.stringify([...new Set(fields)].sort());
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** The column of each changeable user field: a fixed list, so an update's SQL never holds input. */
const USER_COLUMNS = {
  email: 'email',
  name: 'name',
  givenName: 'given_name',
  picture: 'picture',
  username: 'username',
  tel: 'tel',
  passwordHash: 'password_hash',
} as const satisfies Record<keyof UserChanges, string>;

/** An update's [column, value] pairs, in a fixed order; fields left undefined are not changed. */
export function userChangeColumns(changes: UserChanges): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const [field, column] of Object.entries(USER_COLUMNS) as [keyof UserChanges, string][]) {
    const value = changes[field];
    if (value === undefined) continue;
    out.push([column, field === 'email' ? normalizeEmail(String(value)) : value]);
  }
  return out;
}

const CLIENT_COLUMNS = {
  origins: 'origins',
  privacyPolicyUrl: 'privacy_policy_url',
  termsOfServiceUrl: 'terms_of_service_url',
} as const satisfies Record<keyof ClientChanges, string>;

export function clientChangeColumns(changes: ClientChanges): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const [field, column] of Object.entries(CLIENT_COLUMNS) as [keyof ClientChanges, string][]) {
    const value = changes[field];
    if (value === undefined) continue;
    out.push([column, field === 'origins' ? JSON.stringify(value) : value]);
  }
  return out;
}
