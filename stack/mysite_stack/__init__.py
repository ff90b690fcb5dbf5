"""The local launcher: `make up` runs the whole stack as processes behind the real Traefik."""
