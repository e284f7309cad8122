"""The benchmark harness: seeds a large clinic in its own database, drives load at the key pages
through gunicorn, and reports server time, client latency and SQL queries next to a raw-SQL floor.

Run it with `python -m bench` (or `make bench`); see bench/README.md.
"""
