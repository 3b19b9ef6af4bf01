// Opening a store from one string, as the CLI and `createIdp` users write it.

import { PostgresStore } from './postgres.js';
import { SqliteStore } from './sqlite.js';
import type { Store } from './types.js';

export { PostgresStore, type PostgresStoreOptions } from './postgres.js';
export { SqliteStore, type SqliteStoreOptions } from './sqlite.js';
export { StoreConflictError, type AccountsView, type AssertionStepInput, type AssertionStepResult, type Client, type ClientChanges, type Grant, type KeyRecord, type NewClient, type NewUser, type Session, type Store, type User, type UserChanges } from './types.js';

export interface OpenStoreOptions {
  /** PostgreSQL only: the schema to keep the tables in (PostgresStoreOptions.schema). */
  schema?: string;
  /**
   * SQLite only: SqliteStoreOptions.synchronous, 'normal' (default) or 'full'. A PostgreSQL
   * store's commit durability is the server's `synchronous_commit` (docs/idp.md).
   */
  synchronous?: 'full' | 'normal';
}

/**
 * `postgres://…` / `postgresql://…` opens a PostgresStore, anything else is an SQLite file name
 * (or ':memory:'). The store is migrated before it is returned.
 */
export async function openStore(database: string, options: OpenStoreOptions = {}): Promise<Store> {
  const store: Store = /^postgres(ql)?:\/\//i.test(database)
    ? new PostgresStore({ connectionString: database, ...(options.schema === undefined ? {} : { schema: options.schema }) })
    : new SqliteStore({ filename: database, ...(options.synchronous === undefined ? {} : { synchronous: options.synchronous }) });
  try {
    await store.migrate();
  } catch (e) {
    await store.close().catch(() => {});
    throw e;
  }
  return store;
}
