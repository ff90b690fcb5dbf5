"""Helpers for mysite's tests (never imported by the services themselves)."""
