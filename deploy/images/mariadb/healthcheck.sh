#!/bin/bash
# The official image's healthcheck.sh, for the checks compose.yaml calls:
#   healthcheck.sh --connect --innodb_initialized
# --connect             a client logs in over TCP (a server that is still initialising or
#                       shutting down listens on no port);
# --innodb_initialized  InnoDB is up and usable.
# It logs in as the `healthcheck` user (no privileges) whose password the entrypoint wrote
# to /var/lib/mysql/.my-healthcheck.cnf on first start.
set -euo pipefail

defaults=/var/lib/mysql/.my-healthcheck.cnf
run() {
  mariadb --defaults-extra-file="$defaults" --host=127.0.0.1 --protocol=tcp \
    --skip-column-names --batch --execute "$1"
}

[ $# -gt 0 ] || set -- --connect
for check in "$@"; do
  case "$check" in
    --connect)
      run "SELECT 1" >/dev/null
      ;;
    --innodb_initialized)
      [ "$(run "SELECT 1 FROM information_schema.ENGINES WHERE engine = 'InnoDB'
                AND support IN ('YES', 'DEFAULT', 'ENABLED')")" = 1 ]
      ;;
    *)
      echo "healthcheck.sh: unknown check $check" >&2
      exit 2
      ;;
  esac
done
