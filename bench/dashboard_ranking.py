"""The dashboard's area ranking (比学赶超) on the configured database: its queries' size, subplans
and time, as the top coordinator sees it (the coordinator whose area is highest in the tree).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gb_bench_rank uv run python bench/dashboard_ranking.py

Prints, per query of `insight.queries.area_ranking`: its SQL length, the number of subplans in
its plan (PostgreSQL) and its execution time under EXPLAIN ANALYZE (best of --runs), then the
wall time of the whole ranking as the page calls it and the load average. PostgreSQL connections
run with `jit = off` (settings); `--jit on` measures with JIT as the server has it by default.

`--queries PATH` measures another copy of `insight/queries.py` instead of the installed one, to
compare before and after a change:

    git show <rev>:src/groundbreak/insight/queries.py > /tmp/old_queries.py
    uv run python bench/dashboard_ranking.py --queries /tmp/old_queries.py
"""

import argparse
import importlib.util
import os
import re
import time


def _load_queries(path: str | None):
    if not path:
        from groundbreak.insight import queries

        return queries
    spec = importlib.util.spec_from_file_location("ranking_queries_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--queries", help="a copy of insight/queries.py to measure instead of the installed one")
    parser.add_argument("--jit", choices=["on", "off"], default="off", help="PostgreSQL jit for the run (default off)")
    parser.add_argument("--runs", type=int, default=3, help="best of this many runs (default 3)")
    parser.add_argument("--timeout", type=int, default=120, help="PostgreSQL statement_timeout in seconds (120)")
    parser.add_argument("--plans", help="write the EXPLAIN ANALYZE plans to this file")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "groundbreak.settings")
    import django

    django.setup()
    from django.db import DatabaseError, connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from groundbreak.org.models import User
    from groundbreak.portfolio.models import LightSettings
    from groundbreak.portfolio.queries import visible_projects

    queries = _load_queries(args.queries)
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgres:
            cursor.execute(f"SET jit = {args.jit}")
            cursor.execute(f"SET statement_timeout = {args.timeout * 1000}")
    user = (
        User.objects.filter(role="coordinator", scope_area__isnull=False, is_active=True)
        .order_by("scope_area__depth", "pk")
        .select_related("scope_area")
        .first()
    )
    today = timezone.localdate()
    settings = LightSettings.current()
    projects = visible_projects(user, today=today, settings=settings)
    areas = list(queries.ranking_areas(user, projects))
    print(f"{connection.vendor}, database {connection.settings_dict['NAME']}, jit {args.jit if postgres else '—'}")
    print(f"user {user.username} (scope {user.scope_area}), {projects.count()} projects, {len(areas)} ranking areas")

    best, ranking = None, []
    for _ in range(args.runs):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            try:
                ranking = queries.area_ranking(user, projects, {}, today, settings)
            except DatabaseError as error:
                print(f"area_ranking cancelled after {time.perf_counter() - start:,.1f} s: {error}".strip())
                break
            elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    statements = [q["sql"] for q in captured.captured_queries]
    if best is not None:
        print(
            f"area_ranking: {len(statements)} queries, {len(ranking)} rows, best of {args.runs}: {best * 1000:,.1f} ms"
        )

    def explain(sql: str, analyze: bool) -> str:
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN ({'ANALYZE, ' if analyze else ''}COSTS ON) " + sql)
            return "\n".join(row[0] for row in cursor.fetchall())

    plans = []
    for n, sql in enumerate(statements, 1):
        line = f"  query {n}: {len(sql):,} characters of SQL"
        if postgres and sql.lstrip().upper().startswith("SELECT"):
            cost = re.search(r"cost=[\d.]+\.\.([\d.]+)", explain(sql, analyze=False)).group(1)
            times, plan = [], None
            for _ in range(args.runs if best is not None else 0):
                plan = explain(sql, analyze=True)
                times.append(float(re.search(r"Execution Time: ([\d.]+) ms", plan).group(1)))
            plan = plan or explain(sql, analyze=False)
            subplans = len(re.findall(r"^\s*(?:->\s*)?SubPlan \d+", plan, re.M))
            line += f", {subplans} subplans, estimated cost {float(cost):,.0f}, {len(plan.splitlines()):,}-line plan"
            if times:
                line += f", execution {min(times):,.1f} ms"
            jit = re.search(r"Total ([\d.]+) ms", plan.split("JIT:")[-1]) if "JIT:" in plan else None
            line += f" (JIT {float(jit.group(1)):,.1f} ms)" if jit else ""
            plans.append(f"-- query {n}\n{sql}\n\n{plan}\n")
        print(line)
    for row in ranking:
        print(
            f"    {row['area']}: {row['projects']} projects, {row['red']} red, start {row['start_rate']} %, "
            f"investment {row['investment_rate']} %, issues on time {row['issues_on_time']}/{row['issues_due']}"
        )
    print("load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    if args.plans:
        with open(args.plans, "w") as out:
            out.write("\n".join(plans))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
