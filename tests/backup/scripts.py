"""Small programs the durability tests run as separate processes (`python -m tests.backup.scripts`).

Each works on the database of its environment (DATABASE_URL / GROUNDBREAK_DATA_DIR) and prints
what the test needs on stdout, one line per fact, flushed at once.
"""

import datetime
import os
import sys
import time


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "groundbreak.settings")
    import django

    django.setup()


def say(*words) -> None:
    print(*words, flush=True)


def _area():
    from groundbreak.org.models import Area

    area = Area.objects.filter(name="松江区").order_by("pk").first()
    return area or Area.objects.create(name="松江区", kind="district", gb_code="310117")


def populate(count: str = "5") -> None:
    """Projects created, changed and given nodes: a change log of a few dozen entries."""
    from groundbreak.audit.context import acting_as
    from groundbreak.portfolio import actions
    from groundbreak.schedule import actions as schedule_actions
    from groundbreak.schedule.models import MilestoneKind

    area = _area()
    with acting_as(None, source="script"):
        for n in range(int(count)):
            project = actions.create_project(
                by=None, code=f"POP-{n:03d}", name=f"填充项目{n}", category="industrial", area=area
            )
            actions.update_project(project=project, by=None, changes={"industry": "智能制造", "total_investment": n})
            schedule_actions.add_milestone(
                project=project,
                kind=MilestoneKind.objects.order_by("order").first(),
                planned_date=datetime.date(2027, 1, 1) + datetime.timedelta(days=n),
                by=None,
            )
    say("DONE")


def prepare_interrupted() -> None:
    """A project with a planned start and a node template of five kinds, committed."""
    from groundbreak.portfolio import actions
    from groundbreak.schedule.models import MilestoneKind, MilestoneTemplate, MilestoneTemplateItem

    project = actions.create_project(
        by=None,
        code="KILL-1",
        name="中断测试项目",
        category="industrial",
        area=_area(),
        planned_start=datetime.date(2027, 3, 1),
    )
    template = MilestoneTemplate.objects.create(name="中断测试模板", category="industrial")
    for order, kind in enumerate(MilestoneKind.objects.order_by("order")[:5]):
        MilestoneTemplateItem.objects.create(template=template, kind=kind, offset_days=order * 30, order=order)
    say("PROJECT", project.pk)
    say("TEMPLATE", template.pk)


def interrupted(mode: str, stop_after: str = "3") -> None:
    """One business transaction that stops mid-way — after `stop_after` rows — and waits to be killed."""
    from django.db import transaction

    from groundbreak.portfolio import actions
    from groundbreak.portfolio.models import Project
    from groundbreak.schedule import actions as schedule_actions
    from groundbreak.schedule.models import Milestone, MilestoneTemplate

    stop_after = int(stop_after)
    model = Milestone if mode == "template" else Project
    original_save = model.save
    saved = []

    def save_then_stall(self, *args, **kwargs):
        original_save(self, *args, **kwargs)
        saved.append(self.pk)
        if len(saved) == stop_after:
            from groundbreak.audit.models import ObjectChange

            # What this transaction has written so far, visible only to itself.
            say("MIDWAY", len(saved), model.objects.count(), ObjectChange.objects.count())
            time.sleep(120)

    model.save = save_then_stall
    with transaction.atomic():
        if mode == "template":
            schedule_actions.apply_template(
                project=Project.objects.get(code="KILL-1"),
                template=MilestoneTemplate.objects.get(name="中断测试模板"),
                by=None,
            )
        else:
            for n in range(stop_after + 2):
                actions.create_project(
                    by=None, code=f"KILL-LOOP-{n}", name=f"循环项目{n}", category="industrial", area=_area()
                )
    say("FINISHED")  # never reached: the test kills the process while it sleeps


def writer(tag: str, transactions: str = "10", pause: str = "0.01") -> None:
    """Many short transactions, each creating a project and changing it, pausing inside the
    transaction so that concurrent writers overlap."""
    from django.db import transaction

    from groundbreak.portfolio import actions

    area = _area()
    say("STARTED")
    for n in range(int(transactions)):
        with transaction.atomic():
            project = actions.create_project(
                by=None, code=f"W-{tag}-{n:04d}", name=f"并发项目{tag}{n}", category="industrial", area=area
            )
            time.sleep(float(pause))
            actions.update_project(project=project, by=None, changes={"industry": f"行业{n}"})
    say("WROTE", int(transactions))


def enqueue_head_export() -> None:
    """The daily head export, due now, for a worker to run."""
    from groundbreak.audit.tasks import export_daily_chain_head

    say("ENQUEUED", export_daily_chain_head.enqueue().id)


COMMANDS = {
    "enqueue-head-export": enqueue_head_export,
    "populate": populate,
    "prepare-interrupted": prepare_interrupted,
    "interrupted": interrupted,
    "writer": writer,
}

if __name__ == "__main__":
    _setup()
    COMMANDS[sys.argv[1]](*sys.argv[2:])
