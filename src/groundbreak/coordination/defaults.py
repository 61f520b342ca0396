"""The issue categories and escalation ladder every installation starts with.

Both are configurable data (administrators edit them); this list only seeds an empty database.
"""

# code, Chinese name, English name
CATEGORIES = [
    ("land", "土地要素", "Land"),
    ("approvals", "审批手续", "Approvals"),
    ("funding", "资金保障", "Funding"),
    ("demolition", "征收拆迁与安置", "Demolition and resettlement"),
    ("utilities", "水电气路等配套", "Utilities and infrastructure"),
    ("environment", "生态环境", "Environment"),
    ("labour", "用工", "Labour"),
    ("safety", "安全生产", "Safety"),
    ("other", "其他", "Other"),
]

# target, days overdue to reach it: the responsible unit is reminded the day after the deadline,
# and the issue climbs until a month late it goes on the next on-site office meeting's agenda.
LADDER = [
    ("unit", 1),
    ("unit_head", 3),
    ("coordinator", 7),
    ("lead_leader", 15),
    ("agenda", 30),
]


def install_defaults(apps=None) -> None:
    """Create the defaults that are missing (safe to run again)."""
    if apps is None:
        from django.apps import apps as registry

        apps = registry
    Category = apps.get_model("coordination", "IssueCategory")
    Step = apps.get_model("coordination", "EscalationStep")
    for order, (code, name, name_en) in enumerate(CATEGORIES):
        Category.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en, "order": order * 10})
    if not Step.objects.exists():
        for target, days in LADDER:
            Step.objects.create(target=target, days_overdue=days)
