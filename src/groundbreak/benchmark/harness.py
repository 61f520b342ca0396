"""The load harness: personas, a measurement pass (queries, serial time, raw-SQL floor), the
production stack under locust, worker memory, and the Markdown table.

`run` measures whatever database is configured. `run_all` generates and measures city scale on
SQLite and province scale on PostgreSQL, and appends both tables to docs/performance.md.
"""

import csv
import datetime
import json
import os
import platform
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext

REPO = Path(__file__).resolve().parents[3]
LOCUSTFILE = REPO / "bench" / "locustfile.py"
DOCS = REPO / "docs" / "performance.md"
SECTION = "## Load benchmark (province and city scale)"
SECTION_END = "<!-- end of load benchmark -->"

# (group, p95 target in ms); the dashboard of a district has its own, tighter target.
TARGETS = {
    "list": 100,
    "detail": 80,
    "dashboard-province": 250,
    "dashboard-district": 150,
    "api": 100,
    "board": None,
}


# ---- personas and the plan ----------------------------------------------------------------------


def personas() -> dict:
    """The users the mix speaks for, chosen from the generated data."""
    from groundbreak.org.models import Area, Person, User
    from groundbreak.portfolio.models import Project

    root = Area.objects.filter(parent__isnull=True).order_by("pk").first()
    district = Area.objects.filter(kind="district").annotate(n=Count("projects")).order_by("-n", "pk").first()
    leader = (
        Person.objects.filter(is_leader=True, user__isnull=False)
        .annotate(n=Count("led_projects"))
        .order_by("-n", "pk")
        .first()
    )
    unit_member = (
        User.objects.filter(role="unit_member", scope_unit__isnull=False)
        .annotate(n=Count("scope_unit__responsible_projects"))
        .order_by("-n", "pk")
        .first()
    )
    owner_unit = (
        Project.objects.values("owner_unit").annotate(n=Count("id")).order_by("-n", "owner_unit").first()["owner_unit"]
    )
    owner = User.objects.filter(role="owner", scope_unit_id=owner_unit).order_by("pk").first() or (
        User.objects.filter(role="owner").order_by("pk").first()
    )
    return {
        "province": User.objects.get(role="coordinator", scope_area=root),
        "district": User.objects.get(role="coordinator", scope_area=district),
        "leader": leader.user,
        "unit": unit_member,
        "owner": owner,
    }


def session_for(user) -> str:
    """A real session of `user`, made by Django's own login() (its signals run), without hashing a
    password per simulated user."""
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def build_plan(
    seed: int, write_users: int, post_rate: float, post_seconds: float, read_users: int = 8, read_rate: float = 0.0
) -> dict:
    from groundbreak.api.tokens import create_token
    from groundbreak.org.models import Area
    from groundbreak.portfolio.models import KeyList, Project
    from groundbreak.reporting.models import Report

    rng = random.Random(seed)
    people = personas()
    root = people["province"].scope_area
    district = people["district"].scope_area
    city = Area.objects.filter(parent=root).order_by("pk").first() or root
    key_list = KeyList.objects.order_by("-year", "pk").first()
    all_codes = list(Project.objects.order_by("pk").values_list("code", flat=True))
    district_codes = list(Project.objects.filter(area=district).order_by("pk").values_list("code", flat=True))
    n_pages = max(1, len(all_codes) // 100)

    def sample(items, k):
        return [items[i] for i in sorted(rng.sample(range(len(items)), min(k, len(items))))] if items else []

    E = []

    def endpoint(name, group, persona, urls, weight, token=False, fresh=False):
        E.append(
            {"name": name, "group": group, "persona": persona, "urls": urls, "weight": weight, "token": token}
            | ({"fresh": True} if fresh else {})
        )

    endpoint("list: province, no filter", "list", "province", ["/projects/"], 4)
    endpoint("list: province, stage", "list", "province", ["/projects/?stage=construction"], 3)
    endpoint("list: province, city + red light", "list", "province", [f"/projects/?area={city.pk}&light=red"], 3)
    endpoint("list: province, search", "list", "province", ["/projects/?q=生物医药", "/projects/?q=BP0012"], 2)
    endpoint(
        "list: province, key list + category, page 5",
        "list",
        "province",
        [f"/projects/?key_list={key_list.pk}&category=industrial&page=5"],
        2,
    )
    endpoint("list: province, sorted by investment", "list", "province", ["/projects/?sort=-investment"], 1)
    endpoint("list: district coordinator", "list", "district", ["/projects/?stage=construction&stage=landed"], 3)
    endpoint("list: leader", "list", "leader", ["/projects/"], 2)
    endpoint("list: unit member", "list", "unit", ["/projects/"], 2)
    endpoint("list: owner", "list", "owner", ["/projects/"], 2)
    endpoint(
        "detail: province coordinator", "detail", "province", [f"/projects/{c}/" for c in sample(all_codes, 300)], 8
    )
    endpoint(
        "detail: district coordinator",
        "detail",
        "district",
        [f"/projects/{c}/" for c in sample(district_codes, 100)],
        4,
    )
    endpoint("dashboard: province coordinator", "dashboard-province", "province", ["/dashboard/"], 3)
    endpoint("dashboard: district coordinator", "dashboard-district", "district", ["/dashboard/"], 3)
    # The same dashboards with their figures computed (no kept figures): measured, not loaded.
    endpoint(
        "dashboard: province coordinator, computed", "dashboard-province", "province", ["/dashboard/"], 0, fresh=True
    )
    endpoint(
        "dashboard: district coordinator, computed", "dashboard-district", "district", ["/dashboard/"], 0, fresh=True
    )
    endpoint("board: district coordinator", "board", "district", ["/supervision/"], 1)
    offsets = [rng.randrange(n_pages) * 100 for _ in range(50)]
    endpoint(
        "API projects (100)", "api", "province", [f"/api/v1/projects?limit=100&offset={o}" for o in offsets], 5, True
    )
    endpoint(
        "API milestones (100)",
        "api",
        "province",
        [f"/api/v1/milestones?limit=100&offset={o}" for o in offsets],
        3,
        True,
    )
    endpoint("API key lists (100)", "api", "province", ["/api/v1/key-lists?limit=100"], 1, True)
    endpoint("API areas (100)", "api", "province", ["/api/v1/areas?limit=100"], 1, True)
    endpoint("API units (100)", "api", "province", ["/api/v1/units?limit=100&offset=200"], 1, True)
    endpoint("API people (100)", "api", "province", ["/api/v1/people?limit=100"], 1, True)
    endpoint("API re-plan queue (100)", "api", "province", ["/api/v1/replans?limit=100"], 1, True)
    issues = [f"/api/v1/issues?limit=100&offset={o}" for o in offsets]
    endpoint("API issues (100)", "api", "province", issues, 2, True)
    reports = [f"/api/v1/reports?limit=100&offset={o}" for o in offsets]
    endpoint("API reports (100)", "api", "province", reports, 2, True)

    sessions = {name: session_for(user) for name, user in people.items()}
    _token, secret = create_token(
        user=people["province"],
        name=f"bench {datetime.datetime.now():%Y%m%d%H%M%S}",
        expires_at=None,
    )

    # Writers: unit members with draft reports of their projects in the open round.
    from groundbreak.org.models import User

    needed = int(post_rate * post_seconds * 1.3) + write_users
    drafts = (
        Report.objects.filter(status="draft", round__status="open")
        .values_list("pk", "project__responsible_unit")
        .order_by("pk")
    )
    by_unit: dict[int, list[int]] = {}
    for pk, unit in drafts:
        by_unit.setdefault(unit, []).append(pk)
    members = list(
        User.objects.filter(role="unit_member", scope_unit__in=list(by_unit))
        .order_by("pk")
        .values_list("pk", "scope_unit")
    )
    seen_units, chosen = set(), []
    for user_pk, unit in members:
        if unit not in seen_units:
            seen_units.add(unit)
            chosen.append((user_pk, unit))
    chosen.sort(key=lambda c: -len(by_unit[c[1]]))
    pool: list[tuple[int, int]] = []  # (writer user, report)
    for user_pk, unit in chosen:
        pool.extend((user_pk, r) for r in by_unit[unit])
        if len(pool) >= needed:
            break
    writer_users = {u for u, _r in pool}
    for user_pk in writer_users:
        sessions[f"writer-{user_pk}"] = session_for(User.objects.get(pk=user_pk))
    # The reports are dealt to the slots (simulated users) in turn, each with the writer whose
    # session submits it: every planned draft is reachable however many writers there are.
    slots = [{"persona": None, "reports": [], "report_personas": []} for _ in range(write_users)]
    for i, (u, r) in enumerate(pool):
        slot = slots[i % write_users]
        slot["reports"].append(r)
        slot["report_personas"].append(f"writer-{u}")
    for slot in slots:
        slot["persona"] = slot["report_personas"][0] if slot["report_personas"] else None
    return {
        "seed": seed,
        "endpoints": E,
        "sessions": sessions,
        "token": secret,
        "writers": slots,
        "post_rate_per_user": post_rate / max(1, write_users),
        # 0: each reader sends its next request as soon as the last one is answered.
        "read_rate_per_user": read_rate / max(1, read_users) if read_rate else 0,
        "personas": {k: v.username for k, v in people.items()},
    }


# ---- the measurement pass ------------------------------------------------------------------------


# A server-side cursor (Django iterates a form's choices through one on PostgreSQL) runs its
# SELECT; the floor runs that SELECT itself.
_CURSOR = re.compile(r"^\s*DECLARE\s+\S+\s+.*?\bCURSOR\s+(?:WITH(?:OUT)?\s+HOLD\s+)?FOR\s+(.*)$", re.I | re.S)


def _read_sql(sql: str) -> str | None:
    """The SELECT a captured statement ran, or None for writes, transactions and the like."""
    cursor = _CURSOR.match(sql)
    if cursor:
        return cursor.group(1)
    head = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
    return sql if head in ("SELECT", "WITH") else None


def floor_ms(queries: list[str], repeat: int = 3) -> float:
    """The database time of the page's own SELECTs sent back to back on a raw cursor (best of `repeat`)."""
    best = None
    for _ in range(repeat):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for sql in queries:
                cursor.execute(sql)
                cursor.fetchall()
        took = (time.perf_counter() - started) * 1000
        best = took if best is None else min(best, took)
    return best or 0.0


class _Limit:
    """Cancel any statement of one request after `seconds` (statement_timeout on PostgreSQL,
    an interrupt on SQLite), so a page that would run for minutes is recorded as such."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.timer = None

    def __enter__(self):
        connection.ensure_connection()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SET statement_timeout = {int(self.seconds * 1000)}")
        else:
            self.timer = threading.Timer(self.seconds, connection.connection.interrupt)
            self.timer.start()
        return self

    def __exit__(self, *exc):
        if self.timer is not None:
            self.timer.cancel()
        elif connection.vendor == "postgresql":
            connection.close()  # a cancelled statement may leave the connection unusable
        return False


def measure(plan: dict, samples: int = 3, limit_s: float = 30.0, slow_ms: float = 2000.0) -> dict:
    """Per endpoint, in this process with Django's test client: queries per request, the serial
    time of a warm request, and the raw-SQL floor of the same answer.

    A page slower than `slow_ms` is measured once (its floor is then the database time Django
    recorded for its queries); a statement running longer than `limit_s` is cancelled and the
    page is recorded as timed out."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    users = {k: User.objects.get(username=v) for k, v in plan["personas"].items()}
    clients = {}
    for name, user in users.items():
        c = Client()
        c.force_login(user)
        clients[name] = c
    token_client = Client(headers={"Authorization": f"Bearer {plan['token']}"})
    results = {}
    for e in plan["endpoints"]:
        client = token_client if e["token"] else clients[e["persona"]]
        counts, times, floors = [], [], []
        timed_out = False
        forget = (lambda: caches["figures"].clear()) if e.get("fresh") else (lambda: None)
        # Warm, as the load finds it: the kept dashboard figures, the first request's lookups.
        try:
            with _Limit(limit_s):
                client.get(e["urls"][0])
        except Exception:  # noqa: BLE001 — cancelled: the samples below record it
            pass
        for url in e["urls"][:samples]:
            forget()
            try:
                with _Limit(limit_s), CaptureQueriesContext(connection) as ctx:
                    started = time.perf_counter()
                    response = client.get(url)
                    took = (time.perf_counter() - started) * 1000
            except Exception as error:  # cancelled statement
                print(f"  {e['name']}: {url} cancelled after {limit_s:.0f} s ({type(error).__name__})", flush=True)
                timed_out = True
                break
            if response.status_code != 200:
                raise RuntimeError(f"{e['name']}: {url} answered {response.status_code}")
            counts.append(len(ctx.captured_queries))
            if took > slow_ms:
                times.append(took)
                floors.append(sum(float(q["time"]) for q in ctx.captured_queries) * 1000)
                break
            reads = [read for q in ctx.captured_queries if (read := _read_sql(q["sql"]))]
            again = []
            for _ in range(2):
                forget()
                started = time.perf_counter()
                client.get(url)
                again.append((time.perf_counter() - started) * 1000)
            times.append(min([took, *again]))
            floors.append(floor_ms(reads))
        if timed_out and not times:
            results[e["name"]] = {"queries": None, "serial_ms": None, "floor_ms": None, "timed_out": limit_s}
            continue
        results[e["name"]] = {
            "queries": max(counts),
            "serial_ms": statistics.median(times),
            "floor_ms": statistics.median(floors),
        }
        print(
            f"  {e['name']:<48} {max(counts):>3} queries  {statistics.median(times):9.1f} ms"
            f"  floor {statistics.median(floors):9.1f} ms",
            flush=True,
        )
    return results


# ---- the production stack ----------------------------------------------------------------------


class RssMonitor(threading.Thread):
    """The largest resident size each gunicorn worker reached (children of the master)."""

    def __init__(self, master_pid: int):
        super().__init__(daemon=True)
        self.master = master_pid
        self.max_worker_kb = 0
        self.max_master_kb = 0
        self.stop_event = threading.Event()

    @staticmethod
    def _rss_kb(pid: int) -> int:
        try:
            for line in open(f"/proc/{pid}/status"):
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        except OSError:
            return 0
        return 0

    def _children(self) -> list[int]:
        try:
            out = []
            for task in os.listdir(f"/proc/{self.master}/task"):
                with open(f"/proc/{self.master}/task/{task}/children") as f:
                    out.extend(int(p) for p in f.read().split())
            return out
        except OSError:
            return []

    def run(self):
        while not self.stop_event.is_set():
            self.max_master_kb = max(self.max_master_kb, self._rss_kb(self.master))
            for pid in self._children():
                self.max_worker_kb = max(self.max_worker_kb, self._rss_kb(pid))
            self.stop_event.wait(0.5)


def server_env(extra: dict | None = None) -> dict:
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "groundbreak.benchmark.settings"
    env.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789")
    env.update(extra or {})
    return env


def start_server(port: int, workers: int, log_path: Path) -> subprocess.Popen:
    log = open(log_path, "w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "groundbreak.cli",
            "serve",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--no-collectstatic",
            "--access-logfile",
            "/dev/null",
        ],
        env=server_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=REPO,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2)
            return proc
        except Exception:
            if proc.poll() is not None:
                raise RuntimeError(f"the server exited; see {log_path}") from None
            time.sleep(0.5)
    stop_server(proc)
    raise RuntimeError(f"the server did not answer within 60 s; see {log_path}")


def _children_of(pid: int) -> list[int]:
    out = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                out.extend(int(p) for p in f.read().split())
    except OSError:
        pass
    return out


def stop_server(proc: subprocess.Popen) -> None:
    """Stop gunicorn and every worker it started (a worker busy with a slow request would
    otherwise outlive its master and keep the port)."""
    workers = _children_of(proc.pid)
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    for pid in workers:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def locust(plan_path: Path, phase: str, users: int, duration: str, port: int, csv_prefix: Path) -> dict:
    env = dict(os.environ, BENCH_PLAN=str(plan_path), BENCH_PHASE=phase)
    cmd = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "-u",
        str(users),
        "-r",
        str(users),
        "--run-time",
        duration,
        "--host",
        f"http://127.0.0.1:{port}",
        "--csv",
        str(csv_prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--stop-timeout",
        "5",
    ]
    subprocess.run(cmd, env=env, cwd=REPO, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    rows = {}
    with open(f"{csv_prefix}_stats.csv", newline="") as f:
        for row in csv.DictReader(f):
            if row["Name"] == "Aggregated":
                continue
            rows[row["Name"]] = {
                "count": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "p50": float(row["50%"] or 0),
                "p95": float(row["95%"] or 0),
                "p99": float(row["99%"] or 0),
                "rps": float(row["Requests/s"] or 0),
            }
    return rows


# ---- one run ----------------------------------------------------------------------------------


def data_size() -> dict:
    from groundbreak.coordination.models import Issue, IssueResponse
    from groundbreak.org.models import Area, User
    from groundbreak.portfolio.models import Project
    from groundbreak.reporting.models import Report
    from groundbreak.schedule.models import Milestone, Replan

    return {
        "areas": Area.objects.count(),
        "users": User.objects.count(),
        "projects": Project.objects.count(),
        "milestones": Milestone.objects.count(),
        "re-plans": Replan.objects.count(),
        "issues": Issue.objects.count(),
        "responses": IssueResponse.objects.count(),
        "reports": Report.objects.count(),
    }


def machine() -> dict:
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = 0
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                mem_gb = round(int(line.split()[1]) / 1024 / 1024)
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": mem_gb, "python": platform.python_version()}


def backend_label() -> str:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version}"


def run(args) -> dict:
    from django.core.management import call_command

    from groundbreak.reporting.models import Report

    work = Path(tempfile.mkdtemp(prefix="gb-bench-"))
    print(f"Bench run against {backend_label()} ({settings.DATABASES['default']['NAME']}), work files in {work}")
    call_command("collectstatic", interactive=False, verbosity=0)
    size = data_size()
    post_seconds = _seconds(args.post_duration)
    plan = build_plan(
        args.seed,
        write_users=max(4, args.users * 2),
        post_rate=args.post_rate,
        post_seconds=post_seconds,
        read_users=args.users,
        read_rate=getattr(args, "read_rate", 0.0),
    )
    plan_path = work / "plan.json"
    plan_path.write_text(json.dumps(plan), encoding="utf-8")
    if getattr(args, "only", "all") == "post":
        return run_post_only(args, plan, plan_path, work)
    if getattr(args, "reuse_measurement", ""):
        # The measurement pass of an earlier run on the same data (same seed, same endpoints).
        measured = json.loads(Path(args.reuse_measurement).read_text(encoding="utf-8"))["measured"]
        print(f"Measurement pass reused from {args.reuse_measurement}", flush=True)
        missing = [e for e in plan["endpoints"] if e["name"] not in measured]
        if missing:
            print("Measurement pass of the endpoints it lacks:", flush=True)
            measured |= measure(plan | {"endpoints": missing})
    else:
        print("Measurement pass (queries per request, serial time, raw-SQL floor):", flush=True)
        measured = measure(plan)
    connection.close()
    # A page that takes longer than SLOW_S alone only measures the queue under load (two sync
    # workers busy for its whole duration, requests abandoned by the load generator still running
    # on the server): it stays out of the load mix and the table says so.
    plan["endpoints"] = [
        e | {"load": not e.get("fresh") and not _too_slow(measured[e["name"]])} for e in plan["endpoints"]
    ]
    plan_path.write_text(json.dumps(plan), encoding="utf-8")
    load_before = os.getloadavg()
    proc = start_server(args.port, args.workers, work / "server.log")
    monitor = RssMonitor(proc.pid)
    monitor.start()
    try:
        print("Warm-up (10 s) …", flush=True)
        locust(plan_path, "read", args.users, "10s", args.port, work / "warm")
        print(f"Read mix: {args.users} users for {args.duration} …", flush=True)
        read = locust(plan_path, "read", args.users, args.duration, args.port, work / "read")
        # A fresh server for the writes: no read still running from the previous phase.
        monitor.stop_event.set()
        monitor.join(timeout=2)
        stop_server(proc)
        proc = start_server(args.port, args.workers, work / "server-write.log")
        previous = monitor
        monitor = RssMonitor(proc.pid)
        monitor.max_worker_kb, monitor.max_master_kb = previous.max_worker_kb, previous.max_master_kb
        monitor.start()
        print(f"Report submissions: target {args.post_rate:.0f}/s for {args.post_duration} …", flush=True)
        write = locust(plan_path, "write", len(plan["writers"]), args.post_duration, args.port, work / "write")
    finally:
        monitor.stop_event.set()
        monitor.join(timeout=2)
        stop_server(proc)
    load_after = os.getloadavg()
    posted = [r for w in plan["writers"] for r in w["reports"]]
    submitted = Report.objects.filter(pk__in=posted, status="submitted").count()
    result = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "backend": backend_label(),
        "database": settings.DATABASES["default"]["NAME"],
        "machine": machine(),
        "size": size,
        "settings": {
            "workers": args.workers,
            "users": args.users,
            "duration": args.duration,
            "post_duration": args.post_duration,
            "post_rate": args.post_rate,
            "read_rate": getattr(args, "read_rate", 0.0),
            "writers": len(plan["writers"]),
            "seed": args.seed,
        },
        "load": [round(x, 1) for x in load_before] + [round(x, 1) for x in load_after],
        "endpoints": plan["endpoints"],
        "measured": measured,
        "read": read,
        "write": write,
        "write_check": {"drafts_available": len(posted), "submitted_in_db": submitted},
        "rss_worker_mb": round(monitor.max_worker_kb / 1024),
        "rss_master_mb": round(monitor.max_master_kb / 1024),
        "label": args.label,
        "command": _command_line(),
    }
    (work / "result.json").write_text(json.dumps(result, indent=1, default=str), encoding="utf-8")
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=1, default=str), encoding="utf-8")
    table = markdown(result, province=size["projects"] >= 40_000 and connection.vendor == "postgresql")
    print(table)
    if args.write_docs:
        write_docs([table])
    return result


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of the given processes so far (Linux /proc)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, IndexError, ValueError):
            pass
    return total / os.sysconf("SC_CLK_TCK")


def run_post_only(args, plan: dict, plan_path: Path, work: Path) -> dict:
    """Only the report-submission phase, on a fresh server: throughput, latency, errors, the
    reports really submitted, and the CPU time the gunicorn workers spent per submission (the
    figure that compares when the machine is busy)."""
    from groundbreak.reporting.models import Report

    connection.close()
    load_before = os.getloadavg()
    proc = start_server(args.port, args.workers, work / "server-write.log")
    try:
        workers = _children_of(proc.pid)
        cpu_before = _cpu_seconds(workers)
        print(f"Report submissions only: target {args.post_rate:.0f}/s for {args.post_duration} …", flush=True)
        write = locust(plan_path, "write", len(plan["writers"]), args.post_duration, args.port, work / "write")
        cpu = _cpu_seconds(workers) - cpu_before
    finally:
        stop_server(proc)
    posted = [r for w in plan["writers"] for r in w["reports"]]
    submitted = Report.objects.filter(pk__in=posted, status="submitted").count()
    w = write.get("POST report submit", {"count": 0, "failures": 0, "p50": 0, "p95": 0, "p99": 0, "rps": 0})
    result = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "backend": backend_label(),
        "database": settings.DATABASES["default"]["NAME"],
        "write": write,
        "write_check": {"drafts_available": len(posted), "submitted_in_db": submitted},
        # Requests still in flight when locust stops are not in its count but were served.
        "worker_cpu_ms_per_request": round(cpu * 1000 / max(w["count"], submitted), 1)
        if max(w["count"], submitted)
        else None,
        "load": [round(x, 1) for x in load_before] + [round(x, 1) for x in os.getloadavg()],
        "command": _command_line(),
    }
    (work / "result.json").write_text(json.dumps(result, indent=1, default=str), encoding="utf-8")
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=1, default=str), encoding="utf-8")
    print(
        f"POST report submission ({result['backend']}): {w['count']:,} requests, {w['rps']:.1f}/s, "
        f"p50 {w['p50']:.0f} ms, p95 {w['p95']:.0f} ms, p99 {w['p99']:.0f} ms, {w['failures']} errors; "
        f"{submitted:,} submitted in the database of {len(posted):,} drafts planned; "
        f"gunicorn worker CPU {result['worker_cpu_ms_per_request']} ms per request; "
        f"load average before {result['load'][0]}, after {result['load'][3]}"
    )
    return result


SLOW_S = 10.0


def _too_slow(measured: dict) -> bool:
    return measured.get("serial_ms") is None or measured["serial_ms"] > SLOW_S * 1000


def _command_line() -> str:
    env = []
    for name in ("DATABASE_URL", "GROUNDBREAK_DATA_DIR"):
        if os.environ.get(name):
            env.append(f"{name}={os.environ[name]}")
    args = sys.argv[2:] if len(sys.argv) > 2 and sys.argv[1] == "bench" else ["run"]
    return " ".join([*env, "uv run groundbreak bench", *args])


def _seconds(duration: str) -> float:
    unit = duration[-1]
    if unit.isdigit():
        return float(duration)
    return float(duration[:-1]) * {"s": 1, "m": 60, "h": 3600}[unit]


# ---- the table ----------------------------------------------------------------------------------


def _fmt(v, digits=0):
    return f"{v:,.{digits}f}"


def _measured_cells(me: dict) -> str:
    """The queries, serial, floor and ratio cells of a row measured alone (a cancelled page shows
    how long it ran before it was cancelled)."""
    serial, floor = me.get("serial_ms"), me.get("floor_ms")
    if serial is None:
        serial_text = f"> {me['timed_out'] * 1000:,.0f} (cancelled)" if me.get("timed_out") else "?"
    else:
        serial_text = f"{serial:,.1f}"
    floor_text = "?" if floor is None else f"{floor:,.1f}"
    ratio = "?" if serial is None or not floor else f"{serial / floor:.1f}×"
    return f"{me.get('queries') or '?'} | {serial_text} | {floor_text} | {ratio}"


def markdown(r: dict, *, province: bool) -> str:
    size = ", ".join(f"{v:,} {k}" for k, v in r["size"].items())
    s = r["settings"]
    m = r["machine"]
    lines = [
        f"### {r['date']} — {r['backend']}, {r['size']['projects']:,} projects",
        "",
        f"- Command: `{r['command']}`",
        f"- Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB, Python {m['python']}; load average "
        f"before {r['load'][0]}, after {r['load'][3]}" + (f" — {r['label']}" if r["label"] else ""),
        f"- Data: {size} (database `{r['database']}`)",
        f"- Settings: gunicorn {s['workers']} sync workers (`groundbreak serve`), API rate limit off "
        f"(`groundbreak.benchmark.settings`); locust headless on loopback, {s['users']} users "
        + (
            f"offering {s['read_rate']:g} requests/s in all (paced: latency below saturation) "
            if s.get("read_rate")
            else "without think time (saturation: latency includes the queue) "
        )
        + f"for {s['duration']} after a 10 s warm-up; report submissions by {s['writers']} users aiming at "
        f"{s['post_rate']:.0f}/s for {s['post_duration']}; seed {s['seed']}",
        f"- Targets {'apply (province scale, PostgreSQL)' if province else 'are for province scale on PostgreSQL; shown for reference'}",
        "",
        "| endpoint | requests | p50 ms | p95 ms | p99 ms | req/s | errors | queries | serial ms | floor ms | serial ÷ floor | p95 target | met |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    misses = []
    for e in r["endpoints"]:
        name = e["name"]
        st = r["read"].get(name, {"count": 0, "failures": 0, "p50": 0, "p95": 0, "p99": 0, "rps": 0})
        me = r["measured"][name]
        target = TARGETS.get(e["group"])
        if e.get("fresh"):
            lines.append(
                f"| {name} | measured only (kept figures serve the load) | — | — | — | — | — | "
                f"{_measured_cells(me)} | — | — |"
            )
            continue
        if not e.get("load", True):
            misses.append(name)
            lines.append(
                f"| {name} | not loaded (> {SLOW_S:.0f} s alone) | — | — | — | — | — | "
                f"{_measured_cells(me)} | {'≤ ' + str(target) if target else '—'} | **no** |"
            )
            continue
        floor_limit = 3 * me["floor_ms"] + 20
        checks = []
        if target is not None:
            checks.append(st["p95"] <= target)
        checks.append(st["p95"] <= floor_limit)
        checks.append(st["failures"] == 0)
        checks.append(st["count"] > 0)  # not reached in the run: nothing to claim
        met = "yes" if all(checks) else "**no**"
        if not all(checks):
            misses.append(name)
        target_text = (f"≤ {target}" if target is not None else "—") + f"; ≤ 3×floor+20 = {floor_limit:.0f}"
        ratio = me["serial_ms"] / me["floor_ms"] if me["floor_ms"] else 0
        lines.append(
            f"| {name} | {st['count']:,} | {_fmt(st['p50'])} | {_fmt(st['p95'])} | {_fmt(st['p99'])} | "
            f"{st['rps']:.1f} | {st['failures']} | {me['queries']} | {me['serial_ms']:,.1f} | {me['floor_ms']:,.1f} | "
            f"{ratio:.1f}× | {target_text} | {met} |"
        )
    w = r["write"].get("POST report submit", {"count": 0, "failures": 0, "p50": 0, "p95": 0, "p99": 0, "rps": 0})
    check = r["write_check"]
    lost = w["count"] - w["failures"] - check["submitted_in_db"]
    ok = w["rps"] >= 150 and w["failures"] == 0 and lost <= 0
    if not ok:
        misses.append("report submission")
    lines.append(
        f"| POST report submission | {w['count']:,} | {_fmt(w['p50'])} | {_fmt(w['p95'])} | {_fmt(w['p99'])} | "
        f"{w['rps']:.1f} | {w['failures']} | — | — | — | — | ≥ 150/s, no error ({check['submitted_in_db']:,} submitted in the database) | {'yes' if ok else '**no**'} |"
    )
    rss_ok = r["rss_worker_mb"] < 300
    if not rss_ok:
        misses.append("worker memory")
    lines += [
        "",
        f"Largest gunicorn worker RSS through the run: {r['rss_worker_mb']} MB (target < 300 MB: "
        f"{'met' if rss_ok else '**missed**'}); master {r['rss_master_mb']} MB.",
        "",
        ("Targets missed: " + ", ".join(misses) + "." if misses else "All targets met.")
        + ("" if province else " (Not the target configuration.)"),
        "",
    ]
    return "\n".join(lines)


def write_docs(tables: list[str], preface: str = "") -> None:
    """Put the tables into this benchmark's own section of docs/performance.md (newest first)."""
    text = DOCS.read_text(encoding="utf-8")
    body = "\n".join(tables)
    if SECTION in text:
        head, rest = text.split(SECTION, 1)
        intro, _, tail = rest.partition("<!-- results -->")
        # A blank line between the new tables and the heading of the previous run.
        new = head + SECTION + intro + "<!-- results -->\n\n" + preface + body.rstrip("\n") + "\n\n" + tail.lstrip("\n")
    else:
        new = (
            text.rstrip("\n")
            + "\n\n"
            + SECTION
            + "\n\n<!-- results -->\n\n"
            + preface
            + body
            + "\n"
            + SECTION_END
            + "\n"
        )
    DOCS.write_text(new, encoding="utf-8")


# ---- everything -------------------------------------------------------------------------------


def run_all(args) -> None:
    """City scale on SQLite, then province scale on PostgreSQL, each in a child process with its
    own database settings; both tables go into docs/performance.md."""
    tables = []
    common = [
        "--seed",
        str(args.seed),
        "--users",
        str(args.users),
        "--read-rate",
        str(args.read_rate),
        "--duration",
        args.duration,
        "--post-duration",
        args.post_duration,
        "--post-rate",
        str(args.post_rate),
        "--port",
        str(args.port),
        "--workers",
        str(args.workers),
    ]
    if args.label:
        common += ["--label", args.label]
    runs = []
    if not args.skip_sqlite:
        data_dir = Path(tempfile.gettempdir()) / "gb-bench-sqlite"
        env = {"GROUNDBREAK_DATA_DIR": str(data_dir)}
        env_clean = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        runs.append(("city", env_clean | env))
    if not args.skip_postgres:
        runs.append(
            (
                args.pg_scale,
                dict(
                    os.environ,
                    DATABASE_URL=args.pg_url,
                    GROUNDBREAK_DATA_DIR=str(Path(tempfile.gettempdir()) / "gb-bench-pg"),
                ),
            )
        )
    for scale, env in runs:
        if not args.skip_generate:
            started = time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "groundbreak.cli",
                    "bench",
                    "generate",
                    "--scale",
                    scale,
                    "--seed",
                    str(args.seed),
                    "--fresh",
                ],
                env=env,
                cwd=REPO,
                check=True,
            )
            print(f"generate {scale}: {time.perf_counter() - started:.0f} s", flush=True)
        out = Path(tempfile.mkstemp(suffix=".json")[1])
        subprocess.run(
            [sys.executable, "-m", "groundbreak.cli", "bench", "run", *common, "--out", str(out)],
            env=env,
            cwd=REPO,
            check=True,
        )
        result = json.loads(out.read_text(encoding="utf-8"))
        result["command"] = "groundbreak bench all " + " ".join(sys.argv[3:])
        tables.append(
            markdown(result, province=result["size"]["projects"] >= 40_000 and "PostgreSQL" in result["backend"])
        )
    if args.write_docs:
        write_docs(tables)
    print("\n".join(tables))
