// Which PostgreSQL server processes work for one benchmark IdP: its client backends (the
// connections whose application_name the IdP child was given), and the server's background
// processes (WAL writer, checkpointer, background writer, autovacuum…), which do the IdP's
// commits' deferred work but also any other database user's. PostgreSQL 10+ lists both in
// pg_stat_activity (backend_type); their CPU is read from /proc (proc-cpu.ts), so this only
// works for a server on this machine, which the caller checks (pidsAreLocal).

import { readFileSync } from 'node:fs';
import type pg from 'pg';
import { processCpuMicros } from './proc-cpu.js';

export interface PgProcesses {
  /** Client backends serving connections named `applicationName`. */
  backends: number[];
  /** The server's own processes (backend_type other than client backend). */
  background: number[];
}

export async function pgProcesses(client: pg.Client, applicationName: string): Promise<PgProcesses> {
  const r = await client.query<{ pid: number; backend_type: string; application_name: string }>(
    'SELECT pid, backend_type, application_name FROM pg_stat_activity WHERE pid <> pg_backend_pid()',
  );
  return {
    backends: r.rows.filter((row) => row.backend_type === 'client backend' && row.application_name === applicationName).map((row) => row.pid),
    background: r.rows.filter((row) => row.backend_type !== 'client backend').map((row) => row.pid),
  };
}

/** True when the server's processes are this machine's (their pids readable in /proc). */
export async function pidsAreLocal(client: pg.Client): Promise<boolean> {
  const r = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  const pid = r.rows[0]?.pid;
  if (pid === undefined || processCpuMicros(pid) === undefined) return false;
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres';
  } catch {
    return false;
  }
}

/** Adds `applicationName` to a PostgreSQL URL, so the server names that client's backends. */
export function withApplicationName(url: string, applicationName: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}application_name=${encodeURIComponent(applicationName)}`;
}
