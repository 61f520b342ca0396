"""The production settings, with the API's per-caller rate limit off, for load runs only.

A load generator speaks for a handful of callers at hundreds of requests a second; with the
limit on (600 a minute per token) the run would measure 429 answers. Otherwise only a statement
timeout is added (below).
"""

from groundbreak.settings import *  # noqa: F401,F403

GROUNDBREAK_API_RATE = ""

# gunicorn kills a worker whose request runs past 30 s, but PostgreSQL would go on running the
# orphaned statement for minutes and slow every later request of the run: cancel it instead.
if DATABASES["default"]["ENGINE"].endswith("postgresql"):  # noqa: F405
    DATABASES["default"]["OPTIONS"]["options"] += " -c statement_timeout=35000"  # noqa: F405
