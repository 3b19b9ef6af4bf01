#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers on 127.0.0.1:5432 for the store tests (test/idp).
# On this project's machines Debian's PostgreSQL is installed and usually running; if it is
# stopped, start the cluster that is there. Nothing is installed here.
set -euo pipefail
if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  echo "start-postgres: PostgreSQL answers on 127.0.0.1:5432"
  exit 0
fi
if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p 5432 && { echo "start-postgres: started cluster $version/main"; exit 0; }
    sleep 1
  done
fi
echo "start-postgres: no PostgreSQL on 127.0.0.1:5432; the PostgreSQL store tests will fail" >&2
exit 0
