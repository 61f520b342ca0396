"""The demo's field work: a safety inspection of the G60 Kechuang Cloud Gallery site whose dust
item failed (so a rectification that closes only with evidence is open), and two snaps from
Songjiang sites, one already given to a unit, one waiting in the Songjiang coordinator's triage
queue. Everything here is invented; the sites and their coordinates are the seeds'.
"""

import datetime
from decimal import Decimal

from django.core.files.base import ContentFile

from groundbreak.coordination.models import IssueCategory
from groundbreak.demo.evidence import site_photo
from groundbreak.fieldwork import actions
from groundbreak.fieldwork.actions import Answer
from groundbreak.fieldwork.choices import Result
from groundbreak.fieldwork.models import Checklist

DAY = datetime.timedelta(days=1)

# item code: result and note; the items not named pass.
ANSWERS = {
    "heat": (Result.PASS, "午间11:00—15:00停止露天作业，现场备有防暑降温药品和饮品"),
    "dust": (Result.FAIL, "南侧地块约2000平方米裸土未覆盖，雾炮机未开启，出入口冲洗设施损坏"),
    "chemicals": (Result.NOT_APPLICABLE, "现场无危险化学品存放"),
}

# project code, who sends it, text, latitude, longitude
SNAPS = [
    ("SJ-G60-YL2", "shanghai", "工地出入口渣土车未冲洗，沿线道路污染严重", "31.037100", "121.217400"),
    ("SJ-QKRJ", "shanghai", "园区三期围挡破损倒伏，占用人行道，存在行人安全隐患", "31.007200", "121.244600"),
]


def _photo(kind: str) -> ContentFile:
    return ContentFile(site_photo(kind), name=f"{kind}.png")


def load(loader) -> None:
    """Add the field work to a demo being loaded by `demo.load._Loader`."""
    coordinator = loader.users["songjiang"]
    project = loader.projects["SJ-G60-YL2"]
    checklist = Checklist.objects.get(code="site-safety")
    inspection = actions.start_inspection(
        by=coordinator,
        project=project,
        checklist=checklist,
        date=loader.today - 6 * DAY,
        place="G60科创云廊二期施工现场",
    )
    answers = []
    for item in checklist.items.filter(is_active=True):
        result, note = ANSWERS.get(item.code, (Result.PASS, ""))
        photo = _photo("dust") if result == Result.FAIL else None
        answers.append(Answer(item=item, result=result, note=note, photo=photo))
    actions.submit_inspection(
        inspection=inspection,
        by=coordinator,
        answers=answers,
        lead_unit=project.owner_unit or project.responsible_unit,
        deadline=loader.today + 4 * DAY,
    )

    snaps = [
        actions.report_snap(
            by=loader.users[sender],
            project=loader.projects[code],
            text=text,
            photo=_photo(code),
            latitude=Decimal(lat),
            longitude=Decimal(lon),
            accuracy=15,
        )
        for code, sender, text, lat, lon in SNAPS
    ]
    # The first was passed to the owner at once; the second waits for the coordinator.
    triaged = snaps[0]
    actions.triage_snap(
        snap=triaged,
        by=coordinator,
        category=IssueCategory.objects.get(code="environment"),
        lead_unit=triaged.issue.project.owner_unit or triaged.issue.project.responsible_unit,
        deadline=loader.today + 3 * DAY,
        note="请业主单位立即修复冲洗设施并清扫道路",
    )
