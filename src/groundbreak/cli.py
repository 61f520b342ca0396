"""The `groundbreak` command line.

`demo`, `serve`, `worker` and `bench` are ours; every other subcommand is passed to Django's management
commands (`groundbreak migrate`, `groundbreak createsuperuser`, …).
"""

import argparse
import os
import sys
import threading


def _setup(*, demo: bool = False) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "groundbreak.settings")
    if demo:
        os.environ["GROUNDBREAK_DEMO"] = "1"
    import django

    django.setup()


def _start_worker_thread():
    """The task worker in a daemon thread, for the demo's single process."""
    from django_tasks_db.management.commands.db_worker import Worker

    worker = Worker(
        queue_names=["*"],
        interval=1.0,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="demo-worker",
        excluded_queue_names=[],
    )
    thread = threading.Thread(target=worker.run, name="groundbreak-worker", daemon=True)
    thread.start()
    return worker, thread


def demo(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="groundbreak demo", description="Load the demo data and serve the site.")
    parser.add_argument("--addr", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    parser.add_argument("--no-serve", action="store_true", help="load the demo data and exit")
    args = parser.parse_args(argv)
    _setup(demo=True)

    from django.conf import settings
    from django.core.management import call_command

    from groundbreak.demo.load import DEMO_PASSWORD, demo_logins, load_demo

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)
    created = load_demo()
    print(f"Demo data {'loaded' if created else 'already present'} in {settings.DATABASES['default']['NAME']}")
    print(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for username, description in demo_logins():
        print(f"  {username:<22} {description}")
    if args.no_serve:
        return 0

    from groundbreak.audit.tasks import schedule_daily_head_export

    schedule_daily_head_export()
    worker, thread = _start_worker_thread()
    from groundbreak.notify.scheduler import start_scheduler_thread

    # The daily checks run in the demo too, so the bell has something to say.
    _scheduler, stop_scheduler = start_scheduler_thread()
    print(f"Serving on http://{args.addr}:{args.port}/ — press Ctrl-C to stop.")
    try:
        call_command("runserver", f"{args.addr}:{args.port}", use_reloader=False, use_threading=True)
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        worker.running = False
        stop_scheduler.set()
        thread.join(timeout=5)
        print("Stopped.")
    return 0


def serve(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="groundbreak serve", description="Serve in production with gunicorn.")
    parser.add_argument("--bind", default=os.environ.get("GROUNDBREAK_BIND", "127.0.0.1:8000"))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
    parser.add_argument("--no-collectstatic", action="store_true")
    args, extra = parser.parse_known_args(argv)
    _setup()
    from django.conf import settings
    from django.core.management import call_command

    if settings.SECRET_KEY == settings.INSECURE_DEFAULT_SECRET and not settings.DEBUG:
        print("Refusing to serve: set SECRET_KEY in the environment (see README, Production).", file=sys.stderr)
        return 2
    if not args.no_collectstatic:
        call_command("collectstatic", interactive=False, verbosity=0)
    from gunicorn.app.wsgiapp import run

    sys.argv = [
        "gunicorn",
        "groundbreak.wsgi:application",
        "--bind",
        args.bind,
        "--workers",
        str(args.workers),
        "--access-logfile",
        "-",
        *extra,
    ]
    return run()


def worker(argv: list[str]) -> int:
    _setup()
    from groundbreak.audit.tasks import schedule_daily_head_export

    schedule_daily_head_export()
    from django.core.management import call_command

    if "--with-scheduler" in argv:
        # The daily checks and the delivery sweep in this process: no cron needed.
        from groundbreak.notify.scheduler import start_scheduler_thread

        argv = [arg for arg in argv if arg != "--with-scheduler"]
        start_scheduler_thread()
    call_command("db_worker", *argv)
    return 0


def bench(argv: list[str]) -> int:
    """The benchmark: `groundbreak bench generate|run|all` (see docs/performance.md)."""
    from groundbreak.benchmark.cli import main as bench_main

    return bench_main(argv)


COMMANDS = {"demo": demo, "serve": serve, "worker": worker, "bench": bench}
# Django command names cannot hold a dash; the documented spellings can.
ALIASES = {"verify-history": "verify_history", "export-chain-head": "export_chain_head"}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in ALIASES:
        argv[0] = ALIASES[argv[0]]
    if argv and argv[0] in COMMANDS:
        return COMMANDS[argv[0]](argv[1:]) or 0
    _setup()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["groundbreak", *argv])
    return 0


if __name__ == "__main__":
    sys.exit(main())
