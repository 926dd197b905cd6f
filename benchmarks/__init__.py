"""``make bench``: response times of the pages staff use most, on SQLite and
PostgreSQL, with 100,000 and 1,000,000 demo contacts (see run.py)."""
