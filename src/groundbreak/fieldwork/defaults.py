"""The safety checklist every installation starts with.

Configurable data (administrators edit it); this list only seeds an empty database.
"""

# checklist: code, Chinese name, English name
CHECKLISTS = [
    ("site-safety", "施工现场安全检查", "Construction site safety"),
]

# checklist code, item code, Chinese name, English name, what the inspector looks at
ITEMS = [
    ("site-safety", "heat", "高温防暑", "Heat", "作息时间避开高温时段，防暑降温物资到位，一线工人健康有保障"),
    ("site-safety", "dust", "扬尘治理", "Dust suppression", "裸土覆盖、场地硬化、车辆冲洗、喷淋雾炮正常运行"),
    ("site-safety", "scaffolding", "脚手架", "Scaffolding", "搭设方案经审批，连墙件、剪刀撑、安全网齐全，验收合格挂牌"),
    ("site-safety", "fire", "消防安全", "Fire safety", "灭火器材有效，消防通道畅通，动火作业审批和监护到位"),
    (
        "site-safety",
        "chemicals",
        "危险化学品",
        "Hazardous chemicals",
        "危化品专库存放、台账清楚、专人管理，警示标识齐全",
    ),
    ("site-safety", "power", "临时用电", "Temporary power", "三级配电两级保护，电缆架设规范，配电箱上锁"),
    ("site-safety", "lifting", "起重机械", "Lifting machinery", "塔吊、施工升降机检测合格，司机和信号工持证上岗"),
]


def install_defaults(apps=None) -> None:
    """Create the checklists and items that are missing (safe to run again)."""
    if apps is None:
        from django.apps import apps as registry

        apps = registry
    Checklist = apps.get_model("fieldwork", "Checklist")
    Item = apps.get_model("fieldwork", "ChecklistItem")
    checklists = {}
    for order, (code, name, name_en) in enumerate(CHECKLISTS):
        checklists[code], _created = Checklist.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "order": order * 10}
        )
    for order, (checklist, code, name, name_en, guidance) in enumerate(ITEMS):
        Item.objects.get_or_create(
            checklist=checklists[checklist],
            code=code,
            defaults={"name": name, "name_en": name_en, "guidance": guidance, "order": order * 10},
        )
