// The child process of ./group-commit-fsync.test.ts, run under strace: opens an IdP SQLite store
// with synchronous=full, makes a user, a client and a session, then N assertion steps one after
// the other (each awaited) and N more at once (all asked in one event-loop turn), printing a
// marker line with a blocking write(2) before and after each phase, so the trace shows which
// fdatasync calls belong to which phase. Prints each phase's outcomes as JSON at the end.
//
// Started as `node dist/test/durability/group-commit-child.js <database file> <N>`.

import { writeSync } from 'node:fs';
import { SqliteStore } from '../../src/idp/index.js';
import type { AssertionStepInput } from '../../src/idp/index.js';

const [filename, count] = process.argv.slice(2);
if (filename === undefined || count === undefined) throw new Error('usage: group-commit-child.js <database file> <N>');
const n = Number(count);
const T0 = Date.now();
const mark = (line: string): void => void writeSync(1, `${line}\n`);

const store = new SqliteStore({ filename, synchronous: 'full' });
await store.migrate();
await store.createUser({ id: 'u', email: 'u@idp.example', name: 'U', givenName: null, picture: null, username: null, tel: null, passwordHash: 'scrypt$1$1$1$s$h', createdAt: T0 });
await store.createClient({ id: 'c', origins: ['https://rp.example'], privacyPolicyUrl: null, termsOfServiceUrl: null, createdAt: T0 });
await store.createSession({ idHash: 'h', userId: 'u', createdAt: T0, expiresAt: T0 + 3_600_000 });
const step = (nonce: string): AssertionStepInput => ({
  clientId: 'c',
  sessionIdHash: 'h',
  now: T0,
  complete: { origin: 'https://rp.example', accountId: 'u', nonce, nonceExpiresAt: T0 + 3_600_000, disclosure: { fields: ['name'], disclosureShownFor: ['name'], disclosureTextShown: false } },
});

mark('phase sequential begin');
const sequential: string[] = [];
for (let i = 0; i < n; i++) sequential.push((await store.assertionStep(step(`s${i}`))).outcome);
mark('phase sequential end');
mark('phase concurrent begin');
const concurrent = (await Promise.all(Array.from({ length: n }, (_, i) => store.assertionStep(step(`c${i}`))))).map((r) => r.outcome);
mark('phase concurrent end');
await store.close();
mark(`outcomes ${JSON.stringify({ sequential, concurrent })}`);
