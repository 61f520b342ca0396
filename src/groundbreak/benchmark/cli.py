"""`groundbreak bench generate|run|all`.

The database is the one configured (DATABASE_URL, else the SQLite file under
GROUNDBREAK_DATA_DIR). On PostgreSQL the benchmark refuses any database whose name does not start
with `gb_bench`, so it cannot touch someone else's data.
"""

import argparse
import os
import sys

# The harness makes sessions that the server must accept: both sign with this key unless the
# environment gives one.
BENCH_SECRET_KEY = "bench-only-secret-key-not-for-production-0123456789"


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "groundbreak.benchmark.settings")
    os.environ.setdefault("SECRET_KEY", BENCH_SECRET_KEY)
    import django

    django.setup()


def _guard_database() -> None:
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("postgresql") and not str(db["NAME"]).startswith("gb_bench"):
        raise SystemExit(f"Refusing to use PostgreSQL database {db['NAME']!r}: bench databases are named gb_bench*.")


def fresh_database() -> None:
    """Drop and re-create the configured bench database (PostgreSQL) or file (SQLite), then migrate."""
    from pathlib import Path

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("postgresql"):
        import psycopg

        connection.close()
        params = {
            "host": db.get("HOST") or "127.0.0.1",
            "port": db.get("PORT") or 5432,
            "user": db.get("USER") or "postgres",
            "dbname": "postgres",
            "autocommit": True,
        }
        if db.get("PASSWORD"):
            params["password"] = db["PASSWORD"]
        with psycopg.connect(**params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{db["NAME"]}"')
    else:
        connection.close()
        name = Path(db["NAME"])
        for suffix in ("", "-wal", "-shm"):
            p = Path(str(name) + suffix)
            if p.exists():
                p.unlink()
    call_command("migrate", interactive=False, verbosity=0)


def cmd_generate(args) -> int:
    _setup()
    _guard_database()
    from groundbreak.benchmark.generate import generate

    if args.fresh:
        print("Re-creating the bench database and migrating …", flush=True)
        fresh_database()
    result = generate(args.scale, seed=args.seed)
    print(f"{args.scale}: {sum(result['counts'].values()):,} rows in {result['seconds']:.0f} s")
    return 0


def cmd_run(args) -> int:
    _setup()
    _guard_database()
    from groundbreak.benchmark.harness import run

    run(args)
    return 0


def cmd_all(args) -> int:
    _setup()
    from groundbreak.benchmark.harness import run_all

    run_all(args)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="groundbreak bench", description="Generate benchmark data and measure.")
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", help="write seeded benchmark data into an empty database")
    gen.add_argument("--scale", choices=["province", "city", "tiny", "tiny3"], default="city")
    gen.add_argument("--seed", type=int, default=2026)
    gen.add_argument("--fresh", action="store_true", help="drop and re-create the bench database first")
    gen.set_defaults(func=cmd_generate)

    run = sub.add_parser("run", help="load-test the production stack against the generated data")
    _run_arguments(run)
    run.set_defaults(func=cmd_run)

    every = sub.add_parser("all", help="generate and run at city scale on SQLite and province scale on PostgreSQL")
    _run_arguments(every)
    every.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/gb_bench")
    every.add_argument("--skip-generate", action="store_true", help="reuse the data already generated")
    every.add_argument("--skip-sqlite", action="store_true")
    every.add_argument("--skip-postgres", action="store_true")
    every.add_argument("--pg-scale", choices=["province", "city", "tiny", "tiny3"], default="province")
    every.set_defaults(func=cmd_all)

    args = parser.parse_args(argv)
    return args.func(args) or 0


def _run_arguments(p) -> None:
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--users", type=int, default=8, help="concurrent simulated users (locust)")
    p.add_argument(
        "--read-rate",
        type=float,
        default=0.0,
        help="requests per second the readers offer in all (0: as fast as answered, which measures the queue)",
    )
    p.add_argument("--duration", default="60s", help="how long each load phase runs (locust --run-time)")
    p.add_argument("--post-duration", default="30s", help="how long the report-submission phase runs")
    p.add_argument("--post-rate", type=float, default=150.0, help="target report submissions per second")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--label", default="", help="a note written into the table (e.g. 'machine shared')")
    p.add_argument("--write-docs", action="store_true", help="append the result table to docs/performance.md")
    p.add_argument("--out", default="", help="write the results as JSON here")
    p.add_argument(
        "--only",
        choices=["all", "post"],
        default="all",
        help="'post': only the report-submission phase (no measurement pass, no read mix), a short summary",
    )
    p.add_argument(
        "--reuse-measurement",
        default="",
        help="take the measurement pass from an earlier run's JSON (same data and seed)",
    )


if __name__ == "__main__":
    sys.exit(main())
