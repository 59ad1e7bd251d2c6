#!/usr/bin/env bash
# Install the system packages luxcat's tests run real servers from: PostgreSQL (initdb/pg_ctl, for the
# state-store tests), redis-server, and chromium (headless: the indicators dashboard and the Airflow UI
# test in tests/ui are opened in it). Idempotent: does nothing when all are present. Needs root (or
# prints what is missing and how to install it). Starts no service: the tests start their own servers.
# Debian/Ubuntu (apt) only.
set -euo pipefail

missing=()
if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null && ! command -v initdb >/dev/null; then
    missing+=(postgresql)
fi
if ! command -v redis-server >/dev/null; then
    missing+=(redis-server)
fi
if ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null; then
    missing+=(chromium)
fi

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-system-deps: postgresql, redis-server and chromium already present; nothing to do"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "install-system-deps: missing: ${missing[*]}" >&2
    echo "install-system-deps: run as root, or: sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    echo "install-system-deps: (tests that need them are skipped with a reason until then)" >&2
    exit 0
fi

if ! command -v apt-get >/dev/null; then
    echo "install-system-deps: missing ${missing[*]} and no apt-get here; install them with your package manager" >&2
    exit 1
fi

echo "install-system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${missing[@]}"
echo "install-system-deps: done (no service started)"
