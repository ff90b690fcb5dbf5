"""mysite's auth service: accounts, sessions, tokens, and the gateway's verify endpoint."""
