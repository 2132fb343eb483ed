#!/usr/bin/env bash
# Make sure PostgreSQL and Redis answer, starting the local ones if they are down.
# Only services on this machine (127.0.0.1 / localhost / ::1) are started; remote URLs from the
# environment are left alone. Reads DATABASE_URL and CELERY_BROKER_URL.
set -euo pipefail

PY=${PY:-python3}

# Prints "scheme host port" of a URL.
parse() {
    "$PY" - "$1" <<'PYEOF'
import sys
from urllib.parse import urlsplit
u = urlsplit(sys.argv[1])
print(u.scheme or "-", u.hostname or "-", u.port or 0)
PYEOF
}

is_local() { case "$1" in 127.0.0.1|localhost|::1|-) return 0 ;; *) return 1 ;; esac; }

wait_for() {  # wait_for <what> <command...>: up to 30 s
    local what=$1; shift
    for _ in $(seq 1 60); do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 0.5
    done
    echo "!! $what did not come up" >&2
    return 1
}

# --- PostgreSQL ---------------------------------------------------------------------------------
read -r scheme host port < <(parse "${DATABASE_URL:-}")
case "$scheme" in
postgres | postgresql | pgsql | postgis)
    [ "$port" = 0 ] && port=5432
    [ "$host" = - ] && host=127.0.0.1
    if ! pg_isready -q -h "$host" -p "$port"; then
        if is_local "$host" && [ -d /etc/postgresql ]; then
            version=$(ls /etc/postgresql | sort -V | tail -n 1)
            echo ">> starting PostgreSQL $version"
            pg_ctlcluster --skip-systemctl-redirect "$version" main start
            wait_for "PostgreSQL on $host:$port" pg_isready -q -h "$host" -p "$port"
        else
            echo "!! PostgreSQL at $host:$port does not answer" >&2
            exit 1
        fi
    fi
    ;;
esac

# --- Redis --------------------------------------------------------------------------------------
read -r scheme host port < <(parse "${CELERY_BROKER_URL:-}")
case "$scheme" in
redis | rediss)
    [ "$port" = 0 ] && port=6379
    [ "$host" = - ] && host=127.0.0.1
    if [ "$(redis-cli -h "$host" -p "$port" ping 2>/dev/null)" != PONG ]; then
        if is_local "$host" && command -v redis-server >/dev/null 2>&1; then
            echo ">> starting Redis on port $port"
            mkdir -p /var/lib/redis /var/log/redis
            redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$port" --save "" \
                --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
            wait_for "Redis on $host:$port" bash -c "[ \"\$(redis-cli -h '$host' -p '$port' ping)\" = PONG ]"
        else
            echo "!! Redis at $host:$port does not answer" >&2
            exit 1
        fi
    fi
    ;;
esac
