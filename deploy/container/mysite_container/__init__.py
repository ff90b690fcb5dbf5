"""mysite in containers (Compose and ECS): what runs around the services.

- `python -m mysite_container run -- CMD...` (every service image's ENTRYPOINT): assembles
  `<NAME>_DATABASE_URL` from MYSITE_DB_HOST and the service's own database password, then
  replaces itself with CMD, so the server is PID 1 and gets SIGTERM directly.
- `python -m mysite_container provision` (the one-shot job): creates each service's MariaDB
  database and user, migrates each service, and creates the owner's account.
"""
