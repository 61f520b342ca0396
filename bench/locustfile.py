"""The load mix, driven by locust in headless mode from `groundbreak bench run`.

The harness writes a plan (JSON, path in BENCH_PLAN): the personas' session cookies, an API token,
the URLs of each endpoint and, for the write phase, the draft reports each writer may submit.
Every simulated user draws from its own `random.Random(seed + n)`, so a run is repeatable.

BENCH_PHASE=read   the page/API mix (weights below), as fast as the users can go or at the plan's rate
BENCH_PHASE=write  report submissions (POST) at a constant rate per user
"""

import itertools
import json
import os
import random

from locust import HttpUser, constant_throughput, task

PLAN = json.loads(open(os.environ["BENCH_PLAN"], encoding="utf-8").read())
PHASE = os.environ.get("BENCH_PHASE", "read")
SEED = int(PLAN.get("seed", 2026))
_counter = itertools.count()
CSRF = "benchcsrf0benchcsrf0benchcsrf012"  # 32 characters: an unmasked token, sent as cookie and header


def _headers(persona: str) -> dict:
    session = PLAN["sessions"][persona]
    return {"Cookie": f"sessionid={session}; csrftoken={CSRF}", "Accept-Language": "zh-hans"}


READ_RATE = float(PLAN.get("read_rate_per_user") or 0)


class Reader(HttpUser):
    # gunicorn kills a worker after 30 s; wait a little longer so that shows as an error.
    network_timeout = 40.0
    connection_timeout = 10.0
    abstract = PHASE != "read"

    def on_start(self):
        self.rng = random.Random(SEED + next(_counter))
        self.endpoints = [e for e in PLAN["endpoints"] if e.get("load", True)]
        self.names = [e["name"] for e in self.endpoints]
        self.weights = [e["weight"] for e in self.endpoints]

    def wait_time(self):
        # With `--read-rate`, each user thinks for an exponentially distributed time (mean: the
        # inverse of its share of the rate) after each answer, so requests arrive at random
        # moments as independent people's do (a constant pace kept the users in step: they all
        # arrived together). Without it, each user asks again as soon as it is answered.
        return self.rng.expovariate(READ_RATE) if READ_RATE else 0

    @task
    def one(self):
        endpoint = self.rng.choices(self.endpoints, self.weights)[0]
        url = self.rng.choice(endpoint["urls"])
        if endpoint.get("token"):
            headers = {"Authorization": f"Bearer {PLAN['token']}"}
        else:
            headers = _headers(endpoint["persona"])
        with self.client.get(
            url, headers=headers, name=endpoint["name"], allow_redirects=False, catch_response=True
        ) as r:
            if r.status_code != 200:
                r.failure(f"HTTP {r.status_code}")


class Writer(HttpUser):
    abstract = PHASE != "write"
    wait_time = constant_throughput(float(PLAN.get("post_rate_per_user", 5)))

    def on_start(self):
        n = next(_counter)
        writers = PLAN["writers"]
        slot = writers[n % len(writers)]
        self.reports = list(slot["reports"])
        # Each report with the writer who submits it (one writer per slot in older plans).
        self.personas = list(slot.get("report_personas") or [slot["persona"]] * len(self.reports))
        self.rng = random.Random(SEED + n)

    @task
    def submit(self):
        if not self.reports:
            return
        pk, persona = self.reports.pop(), self.personas.pop()
        headers = _headers(persona) | {"X-CSRFToken": CSRF, "Referer": self.host + "/reports/"}
        with self.client.post(
            f"/reports/{pk}/submit/",
            data={"note": ""},
            headers=headers,
            name="POST report submit",
            allow_redirects=False,
            catch_response=True,
        ) as r:
            if r.status_code not in (302, 303):
                r.failure(f"HTTP {r.status_code}")
