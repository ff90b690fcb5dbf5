"""mysite's benchmarks: `make bench` (python -m bench). Results go to docs/performance.md."""
