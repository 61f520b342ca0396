"""The default node kinds, re-plan reasons and templates every installation starts with.

They are configurable data (administrators edit them); this list only seeds an empty database.
"""

# code, Chinese name, English name, evidence, is_approval
KINDS = [
    ("signing", "项目签约", "Contract signed", "document", False),
    ("project_filing", "项目备案/核准", "Project filing / approval", "approval_number", True),
    ("feasibility", "可行性研究报告批复", "Feasibility study approved", "approval_number", True),
    ("eia", "环境影响评价批复", "Environmental impact approval", "approval_number", True),
    ("land_use_permit", "建设用地规划许可证", "Land-use planning permit", "approval_number", True),
    ("land_transfer", "土地出让（摘牌）", "Land transferred", "document", False),
    ("land_handover", "土地交付", "Land handed over", "", False),
    ("demolition_cleared", "征收拆迁清零", "Demolition and resettlement cleared", "", False),
    ("planning_permit", "建设工程规划许可证", "Construction planning permit", "approval_number", True),
    ("construction_permit", "建筑工程施工许可证", "Construction permit", "approval_number", True),
    ("groundbreaking", "开工", "Groundbreaking", "photo", False),
    ("plus_minus_zero", "出正负零", "Foundations to ±0", "photo", False),
    ("topping_out", "主体结顶", "Topping out", "photo", False),
    ("equipment_installed", "设备安装调试", "Equipment installed and commissioned", "", False),
    ("completion_acceptance", "竣工验收", "Completion acceptance", "document", False),
    ("partial_production", "部分投产", "Partial production", "", False),
    ("full_production", "全面达产", "Full production", "", False),
    ("opening", "建成开放/通车", "Opened to the public", "photo", False),
]

REASONS = [
    ("land", "土地要素未落实", "Land not yet secured"),
    ("approvals", "审批手续滞后", "Approvals delayed"),
    ("demolition", "征收拆迁未完成", "Demolition and resettlement unfinished"),
    ("funding", "资金未到位", "Funding not in place"),
    ("design_change", "设计方案调整", "Design changed"),
    ("utilities", "水电气等配套滞后", "Utilities late"),
    ("weather", "天气或季节原因", "Weather or season"),
    ("enterprise", "企业自身原因", "Owner's own reasons"),
    ("public_health", "疫情等突发事件", "Epidemic or emergency"),
    ("other", "其他", "Other"),
]

# category: (Chinese name, English name, [(kind code, days after the planned start)])
TEMPLATES = {
    "industrial": (
        "产业项目标准节点",
        "Industrial project standard nodes",
        [
            ("signing", -180),
            ("project_filing", -120),
            ("land_transfer", -90),
            ("land_use_permit", -75),
            ("planning_permit", -45),
            ("construction_permit", -15),
            ("groundbreaking", 0),
            ("plus_minus_zero", 120),
            ("topping_out", 300),
            ("completion_acceptance", 540),
            ("partial_production", 600),
            ("full_production", 900),
        ],
    ),
    "infrastructure": (
        "基础设施项目标准节点",
        "Infrastructure project standard nodes",
        [
            ("project_filing", -180),
            ("feasibility", -150),
            ("eia", -120),
            ("land_use_permit", -90),
            ("demolition_cleared", -45),
            ("construction_permit", -15),
            ("groundbreaking", 0),
            ("completion_acceptance", 720),
            ("opening", 760),
        ],
    ),
    "livelihood": (
        "民生实事项目标准节点",
        "Practical project standard nodes",
        [
            ("project_filing", -60),
            ("construction_permit", -15),
            ("groundbreaking", 0),
            ("completion_acceptance", 300),
            ("opening", 320),
        ],
    ),
    "urban_renewal": (
        "城市更新项目标准节点",
        "Urban renewal standard nodes",
        [
            ("project_filing", -120),
            ("demolition_cleared", -30),
            ("construction_permit", -10),
            ("groundbreaking", 0),
            ("topping_out", 360),
            ("completion_acceptance", 600),
        ],
    ),
    "ecology": (
        "生态项目标准节点",
        "Ecology project standard nodes",
        [
            ("project_filing", -60),
            ("land_handover", -20),
            ("groundbreaking", 0),
            ("completion_acceptance", 240),
            ("opening", 260),
        ],
    ),
    "social": (
        "社会事业项目标准节点",
        "Social project standard nodes",
        [
            ("project_filing", -120),
            ("feasibility", -90),
            ("construction_permit", -15),
            ("groundbreaking", 0),
            ("topping_out", 300),
            ("completion_acceptance", 540),
            ("opening", 600),
        ],
    ),
}


def install_defaults(apps=None) -> None:
    """Create the defaults that are missing (safe to run again)."""
    if apps is None:
        from django.apps import apps as registry

        apps = registry
    Kind = apps.get_model("schedule", "MilestoneKind")
    Reason = apps.get_model("schedule", "ReplanReason")
    Template = apps.get_model("schedule", "MilestoneTemplate")
    Item = apps.get_model("schedule", "MilestoneTemplateItem")
    kinds = {}
    for order, (code, name, name_en, evidence, is_approval) in enumerate(KINDS):
        kinds[code], _ = Kind.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "evidence": evidence,
                "is_approval": is_approval,
                "order": order * 10,
            },
        )
    for order, (code, name, name_en) in enumerate(REASONS):
        Reason.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en, "order": order * 10})
    for category, (name, name_en, items) in TEMPLATES.items():
        template, created = Template.objects.get_or_create(category=category, name=name, defaults={"name_en": name_en})
        if created:
            for order, (code, offset) in enumerate(items):
                Item.objects.create(template=template, kind=kinds[code], offset_days=offset, order=order * 10)
