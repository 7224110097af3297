#!/bin/sh
# Installs the two peer servers of bench/peers.py (see docs/benchmarks.md, "Beside the peers"):
#   - pouchdb-server, pinned by package-lock.json, into bench/peers/node_modules (`npm ci`; node >= 20);
#   - Kinto with its PostgreSQL backend, pinned by kinto-requirements.txt, into its own venv
#     bench/peers/kinto-venv (the project's requirements.lock is not touched).
# The PostgreSQL 15 server (initdb, pg_ctl, postgres) must be installed; bench/peers.py makes a
# throwaway cluster for each run. Idempotent: does nothing when both are up to date.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
PYTHON=${PYTHON:-python3}
cd "$here"

if [ ! -f node_modules/.installed ] || [ package-lock.json -nt node_modules/.installed ]; then
    command -v npm >/dev/null || { echo "setup: npm not found (node >= 20 and npm are needed)" >&2; exit 1; }
    npm ci --no-audit --no-fund --loglevel=error
    touch node_modules/.installed
fi

if [ ! -f kinto-venv/.installed ] || [ kinto-requirements.txt -nt kinto-venv/.installed ]; then
    test -x kinto-venv/bin/python || "$PYTHON" -m venv kinto-venv
    kinto-venv/bin/python -m pip install --quiet --disable-pip-version-check -r kinto-requirements.txt
    touch kinto-venv/.installed
fi

PATH="$PATH:$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | tail -n 1)"
for tool in initdb pg_ctl postgres; do
    command -v "$tool" >/dev/null || {
        echo "setup: $tool not found: the PostgreSQL server is needed (Debian: apt-get install postgresql)" >&2
        exit 1
    }
done
echo "peers ready: pouchdb-server $(node -p "require('./node_modules/pouchdb-server/package.json').version")," \
     "kinto $(kinto-venv/bin/python -c 'import importlib.metadata as m; print(m.version("kinto"))'), $(postgres --version)"
