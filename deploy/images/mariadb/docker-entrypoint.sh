#!/bin/bash
# Entrypoint of the offline MariaDB image (Debian's mariadb-server), honouring the parts of
# the official image's contract that compose.yaml uses:
# - MARIADB_ROOT_PASSWORD_FILE (or MARIADB_ROOT_PASSWORD): the password of root, set on the
#   first start, for root@localhost and root@'%' (the provisioning job connects over the
#   network);
# - first start: an empty /var/lib/mysql is initialised, later starts keep it as it is;
# - MARIADB_AUTO_UPGRADE: when the data was written by another server version, the system
#   tables are upgraded before the server starts;
# - the `healthcheck` user and .my-healthcheck.cnf that healthcheck.sh logs in with.
# Then the server runs as PID 1 (it drops to the mysql user itself) and gets the stop signal.
set -euo pipefail

datadir=/var/lib/mysql
socket=/run/mysqld/mysqld.sock

log() { echo "entrypoint: $*" >&2; }

if [ "${1:-}" != mariadbd ]; then
  exec "$@"
fi

root_password() {
  if [ -n "${MARIADB_ROOT_PASSWORD_FILE:-}" ]; then
    # The file's content without its trailing newline, as the official image reads it.
    cat -- "$MARIADB_ROOT_PASSWORD_FILE"
  elif [ -n "${MARIADB_ROOT_PASSWORD:-}" ]; then
    printf '%s' "$MARIADB_ROOT_PASSWORD"
  else
    log "set MARIADB_ROOT_PASSWORD_FILE or MARIADB_ROOT_PASSWORD"
    exit 1
  fi
}

# A string literal for SQL: backslashes and single quotes escaped.
sql_string() {
  local value=${1//\\/\\\\}
  printf "'%s'" "${value//\'/\\\'}"
}

start_private_server() {
  # No network, only the socket: nothing can connect before the passwords are set.
  mariadbd --user=mysql --skip-networking --socket="$socket" &
  private_server=$!
  for _ in $(seq 1 60); do
    mariadb-admin --socket="$socket" --user=root ping >/dev/null 2>&1 && return 0
    kill -0 "$private_server" 2>/dev/null || { log "the server failed to start"; exit 1; }
    sleep 1
  done
  log "the server did not answer within 60 s"
  exit 1
}

stop_private_server() {
  kill "$private_server"
  wait "$private_server"
}

mkdir -p /run/mysqld
chown mysql:mysql /run/mysqld "$datadir"

if [ ! -d "$datadir/mysql" ]; then
  password=$(root_password)
  log "initialising the data folder"
  mariadb-install-db --user=mysql --datadir="$datadir" --skip-test-db \
    --auth-root-authentication-method=socket >/dev/null
  start_private_server
  health_password=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
  mariadb --socket="$socket" --user=root <<SQL
ALTER USER 'root'@'localhost' IDENTIFIED VIA mysql_native_password
  USING PASSWORD($(sql_string "$password")) OR unix_socket;
CREATE USER 'root'@'%' IDENTIFIED BY $(sql_string "$password");
GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;
CREATE USER 'healthcheck'@'127.0.0.1' IDENTIFIED BY '$health_password';
CREATE USER 'healthcheck'@'::1' IDENTIFIED BY '$health_password';
CREATE USER 'healthcheck'@'localhost' IDENTIFIED BY '$health_password';
DROP USER IF EXISTS 'mysql'@'localhost';
FLUSH PRIVILEGES;
SQL
  printf '[client]\nuser=healthcheck\npassword=%s\n' "$health_password" >"$datadir/.my-healthcheck.cnf"
  chown mysql:mysql "$datadir/.my-healthcheck.cnf"
  chmod 600 "$datadir/.my-healthcheck.cnf"
  stop_private_server
  log "initialised"
else
  server_version=$(mariadbd --version | grep -o '[0-9]*\.[0-9]*\.[0-9]*-MariaDB' | head -1)
  # Data of a newer release (the official mariadb:11.4 image's, say) cannot be opened by an
  # older server, and mariadb-upgrade cannot downgrade it: refuse before touching it.
  data_version=$(grep -o '^[0-9]*\.[0-9]*\.[0-9]*' "$datadir/mysql_upgrade_info" 2>/dev/null || true)
  if [ -n "$data_version" ] && [ "$data_version" != "${server_version%-MariaDB}" ] \
    && [ "$(printf '%s\n%s\n' "$data_version" "${server_version%-MariaDB}" | sort -V | tail -1)" = "$data_version" ]; then
    log "the data was written by MariaDB $data_version, newer than this server ($server_version):"
    log "start the image that wrote it (compose.yaml's default is mariadb:11.4) or restore a dump"
    exit 1
  fi
  if [ -n "${MARIADB_AUTO_UPGRADE:-}" ] \
    && ! grep -qF "${server_version%-MariaDB}" "$datadir/mysql_upgrade_info" 2>/dev/null; then
    log "upgrading the system tables to $server_version"
    start_private_server
    mariadb-upgrade --socket="$socket" --user=root
    stop_private_server
  fi
fi

exec "$@" --user=mysql
