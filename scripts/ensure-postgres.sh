#!/usr/bin/env bash
# Makes sure the PostgreSQL server that `make run` and `make test` use answers.
#
#   scripts/ensure-postgres.sh [URL]
#
# URL is a PostgreSQL URL (a server, or a database on it); the default is
# postgres://postgres@127.0.0.1:5432, the Makefile's PG_SERVER.
#
# * For the default server (user postgres on 127.0.0.1:5432, with or without a
#   database name), on Debian: install Debian's `postgresql` if it is missing,
#   create and start the cluster, make it listen on 127.0.0.1:5432 and trust
#   user postgres over the local socket and 127.0.0.1, and wait until it
#   answers. Each step is skipped when it is already done, and nothing at all
#   happens when the server already answers (one `psql` round trip).
# * For any other URL it installs and starts nothing: it checks that a server
#   answers there and, if none does, says which one is missing and exits 1.
set -euo pipefail

DEFAULT_SERVER=postgres://postgres@127.0.0.1:5432
URL="${1:-$DEFAULT_SERVER}"
# Never hang on a server that does not answer.
export PGCONNECT_TIMEOUT=3

say() { echo "ensure-postgres: $*" >&2; }
die() { say "$*"; exit 1; }

# The URL without a password, for messages.
shown() { sed -E 's#^([a-z]+://[^:/@]*):[^@]*@#\1:***@#' <<<"$1"; }

# The server part of a URL: everything before the database name or parameters.
server_of() { sed -E 's#^([a-z]+://[^/?]*).*#\1#' <<<"$1"; }

# Whether the default server answers as the tests need it to: user postgres,
# no password, over TCP to 127.0.0.1:5432.
default_answers() {
    command -v psql >/dev/null && psql "$DEFAULT_SERVER/postgres" -w -Atqc 'select 1' >/dev/null 2>&1
}

# Runs a command as root (through sudo when not root and sudo is there).
as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null; then
        sudo "$@"
    else
        die "cannot run '$*': not root and no sudo. Run as root, or start PostgreSQL at $DEFAULT_SERVER yourself."
    fi
}

# --- Any other server: only check it, and say clearly if it is missing. ---------------
if [ "$(server_of "$URL")" != "$DEFAULT_SERVER" ]; then
    if command -v pg_isready >/dev/null; then
        # pg_isready succeeds once the server answers, whatever it says about the login.
        pg_isready -q -t 5 -d "$URL" && exit 0
    else
        # No client tools: at least check that something listens at host:port.
        hostport=$(sed -E 's#^[a-z]+://([^@/?]*@)?([^/?]*).*#\2#' <<<"$URL")
        host=${hostport%:*}
        port=${hostport##*:}
        if [ "$host" = "$hostport" ]; then port=5432; fi
        host=${host#[}; host=${host%]}
        host=${host:-localhost}
        timeout 5 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$host" "$port" 2>/dev/null && exit 0
    fi
    die "no PostgreSQL server answers at $(shown "$URL").
  make installs and starts PostgreSQL only for the default $DEFAULT_SERVER;
  start the server above, or leave PG_SERVER and DATABASE_URL unset to use the default."
fi

# --- The default server. ------------------------------------------------------------
# The usual case: it already answers.
default_answers && exit 0

if command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432; then
    # Something answers at 127.0.0.1:5432 but refuses user postgres without a
    # password. Fix it only if it is this machine's Debian cluster on port 5432.
    if ! { command -v pg_lsclusters >/dev/null && pg_lsclusters -h | awk '$3 == 5432 && $4 ~ /online/ { found = 1 } END { exit !found }'; }; then
        die "a PostgreSQL server answers at 127.0.0.1:5432 but refuses user postgres without a password,
  and it is not a Debian cluster this script can configure. Let user postgres in with trust
  authentication from 127.0.0.1 (pg_hba.conf), or stop that server."
    fi
fi

command -v apt-get >/dev/null \
    || die "no PostgreSQL answers at $DEFAULT_SERVER, and this is not a Debian system (no apt-get): install and start PostgreSQL there yourself."

# Install Debian's postgresql if its server or the cluster tools are missing.
if ! command -v pg_ctlcluster >/dev/null || ! compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; then
    say "installing Debian's postgresql"
    as_root apt-get update
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql
fi

# The version to use: the newest one with both a cluster configuration in
# /etc/postgresql and its server installed, else the newest server installed.
version=""
for v in $(ls /etc/postgresql 2>/dev/null | sort -V); do
    if [ -x "/usr/lib/postgresql/$v/bin/postgres" ]; then version=$v; fi
done
[ -n "$version" ] || version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
[ -n "$version" ] || die "postgresql is installed but no server version is found in /usr/lib/postgresql"
# Its cluster "main": the package creates it; create it if it is not there.
if [ ! -d "/etc/postgresql/$version/main" ]; then
    say "creating cluster $version/main"
    as_root pg_createcluster "$version" main
fi
conf_dir="/etc/postgresql/$version/main"

# Port and listen address (a change to either needs a restart, not a reload).
restart=false
if [ "$(pg_conftool -s "$version" main show port 2>/dev/null || echo 5432)" != 5432 ]; then
    say "setting port = 5432 in $conf_dir/postgresql.conf"
    as_root pg_conftool "$version" main set port 5432
    restart=true
fi
listen=$(pg_conftool -s "$version" main show listen_addresses 2>/dev/null || echo localhost)
if ! grep -Eq "(^|[ ,])(\*|localhost|127\.0\.0\.1|0\.0\.0\.0)([ ,]|$)" <<<"$listen"; then
    say "adding 127.0.0.1 to listen_addresses ($listen) in $conf_dir/postgresql.conf"
    as_root pg_conftool "$version" main set listen_addresses "${listen:+$listen,}127.0.0.1"
    restart=true
fi

# Start the cluster, or restart it for the settings above. --skip-systemctl-redirect
# runs pg_ctl directly, so it also works where systemd is not running (containers).
if pg_ctlcluster "$version" main status >/dev/null 2>&1; then
    if $restart; then
        say "restarting PostgreSQL $version/main"
        as_root pg_ctlcluster --skip-systemctl-redirect "$version" main restart
    fi
else
    say "starting PostgreSQL $version/main"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start
fi

# Wait until it accepts connections on 127.0.0.1:5432 (at most 30 s).
for _ in $(seq 60); do
    pg_isready -q -h 127.0.0.1 -p 5432 && break
    sleep 0.5
done
pg_isready -q -h 127.0.0.1 -p 5432 \
    || die "PostgreSQL $version/main was started but does not answer at 127.0.0.1:5432; see /var/log/postgresql/postgresql-$version-main.log"

# Trust user postgres over the local socket and from 127.0.0.1 (Debian's default
# is peer and scram-sha-256). pg_hba.conf is read top down and the first matching
# line wins, so the two lines go first. Done only when the login fails.
if ! default_answers; then
    hba="$conf_dir/pg_hba.conf"
    marker="# Added by Fullmakt's scripts/ensure-postgres.sh"
    if ! as_root grep -qF "$marker" "$hba"; then
        say "letting user postgres in without a password (trust) in $hba"
        as_root bash -c 'f=$1; shift; { printf "%s\n" "$@"; cat "$f"; } >"$f.new" && chown --reference="$f" "$f.new" && chmod --reference="$f" "$f.new" && mv "$f.new" "$f"' _ "$hba" \
            "$marker (development database: user postgres needs no password)" \
            "local   all   postgres                  trust" \
            "host    all   postgres   127.0.0.1/32   trust" \
            ""
        as_root pg_ctlcluster --skip-systemctl-redirect "$version" main reload
        sleep 1
    fi
fi

default_answers || die "PostgreSQL $version/main answers at 127.0.0.1:5432 but user postgres cannot log in without a password; check $conf_dir/pg_hba.conf"
say "PostgreSQL $version/main answers at $DEFAULT_SERVER"
