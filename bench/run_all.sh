#!/bin/sh
# The whole benchmark: city scale on SQLite, province scale on PostgreSQL (database gb_bench at
# 127.0.0.1:5432), each generated afresh and measured; both tables go into docs/performance.md.
# Extra arguments go to `groundbreak bench all` (e.g. --skip-generate, --users 8, --label "…").
set -eu
cd "$(dirname "$0")/.."
exec uv run groundbreak bench all --write-docs "$@"
