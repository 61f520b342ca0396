"""The columns of each importable and exportable sheet, in both languages.

Headers and their explanations are data here rather than translation strings: a sheet written in
one language must be read back whatever the reader's language is, and the importer has to know
every header in both languages at once. Export, templates and import share these lists, so a
round trip goes through exactly the same columns.
"""

import unicodedata
from dataclasses import dataclass

from django.utils.translation import get_language

# How a column's cells are read and written.
TEXT = "text"
CODE = "code"  # identifiers: full-width characters folded, written as text so Excel keeps zeros
DATE = "date"
MONEY = "money"
COORDINATE = "coordinate"
PERCENT = "percent"  # 0 to 100, two places
COUNT = "count"  # a whole number, not negative
REFERENCE = "reference"  # a name looked up in a drop-down list


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    help_zh: str
    help_en: str
    type: str = TEXT
    required: bool = False
    width: int = 16
    choices: str = ""  # the drop-down list offered in templates (see templates_xlsx.drop_down_lists)

    def header(self, language: str | None = None) -> str:
        return self.en if is_english(language) else self.zh

    def comment(self) -> str:
        required = "（必填）" if self.required else ""
        required_en = " (required)" if self.required else ""
        return f"{self.zh}{required}：{self.help_zh}\n\n{self.en}{required_en}: {self.help_en}"


@dataclass(frozen=True)
class Sheet:
    kind: str
    title_zh: str
    title_en: str
    columns: tuple[Column, ...]
    key_columns: tuple[str, ...]

    def title(self, language: str | None = None) -> str:
        return self.title_en if is_english(language) else self.title_zh

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def headers(self, language: str | None = None) -> list[str]:
        return [c.header(language) for c in self.columns]

    def header_lookup(self) -> dict[str, Column]:
        """Every accepted spelling of every header (both languages and the key) → its column."""
        lookup = {}
        for column in self.columns:
            for text in (column.zh, column.en, column.key):
                lookup[normalize_header(text)] = column
        return lookup


def is_english(language: str | None = None) -> bool:
    return (language or get_language() or "").lower().startswith("en")


def normalize_header(text) -> str:
    """Headers compare without case, spaces, a required-marker '*' or full-width forms."""
    text = unicodedata.normalize("NFKC", str(text or ""))
    return "".join(text.split()).replace("*", "").casefold()


PROJECT_SHEET = Sheet(
    kind="projects",
    title_zh="项目",
    title_en="Projects",
    key_columns=("code",),
    columns=(
        Column(
            "code",
            "项目编号",
            "Project code",
            "唯一编号，2–40 位字母、数字、“-”“_”“.”。已有编号的行更新该项目，新编号的行新建项目。",
            "Unique, 2–40 letters, digits, '-', '_' or '.'. A known code updates that project; a new code creates one.",
            type=CODE,
            required=True,
            width=14,
        ),
        Column(
            "name",
            "项目名称",
            "Project name",
            "项目的中文名称，最多 200 字。",
            "The project's Chinese name, at most 200 characters.",
            required=True,
            width=30,
        ),
        Column(
            "name_en",
            "英文名称",
            "English name",
            "可选，英文界面显示的名称。",
            "Optional; shown on English pages.",
            width=30,
        ),
        Column(
            "investment_code",
            "全国投资项目代码",
            "National investment code",
            "全国投资项目在线审批监管平台赋码，24 位，如 2022-310117-47-01-012345；可空。",
            "The 24-character code of the national online approval platform, e.g. 2022-310117-47-01-012345; optional.",
            type=CODE,
            width=26,
        ),
        Column(
            "category",
            "项目类别",
            "Category",
            "从下拉列表选择。",
            "Choose from the drop-down list.",
            type=REFERENCE,
            required=True,
            choices="category",
        ),
        Column("industry", "行业", "Industry", "自由填写，如“集成电路”。", "Free text, e.g. 'integrated circuits'."),
        Column(
            "area",
            "所属区域",
            "Area",
            "项目所在的区、镇或园区，从下拉列表选择；同名时写成“上级/名称”。只能填写您权限范围内的区域。",
            "The district, town or zone, from the drop-down list; where two share a name write 'parent/name'. "
            "Only areas within your scope.",
            type=REFERENCE,
            required=True,
            choices="area",
        ),
        Column(
            "zone",
            "所属片区/园区",
            "Zone / park",
            "可选，项目所在的片区或园区。",
            "Optional: the zone or park the project is in.",
            type=REFERENCE,
            choices="area",
        ),
        Column("address", "建设地点", "Address", "可选，项目地址。", "Optional: the site address.", width=30),
        Column(
            "latitude",
            "纬度",
            "Latitude",
            "可选，十进制度数（-90 至 90），与经度一起填写，如 31.0321。",
            "Optional, decimal degrees (-90 to 90), together with the longitude, e.g. 31.0321.",
            type=COORDINATE,
            width=12,
        ),
        Column(
            "longitude",
            "经度",
            "Longitude",
            "可选，十进制度数（-180 至 180），如 121.2277。",
            "Optional, decimal degrees (-180 to 180), e.g. 121.2277.",
            type=COORDINATE,
            width=12,
        ),
        Column(
            "owner_unit",
            "业主单位",
            "Owner unit",
            "可选，从下拉列表选择；同名单位写成“所在区域/单位名称”。",
            "Optional, from the drop-down list; where two units share a name write 'area/unit'.",
            type=REFERENCE,
            choices="unit",
            width=24,
        ),
        Column(
            "lead_leader",
            "包联领导",
            "Lead leader",
            "可选，从下拉列表选择；同名时写成“单位/姓名”。",
            "Optional, from the drop-down list; where two share a name write 'unit/name'.",
            type=REFERENCE,
            choices="leader",
        ),
        Column(
            "responsible_unit",
            "责任单位",
            "Responsible unit",
            "可选，从下拉列表选择。",
            "Optional, from the drop-down list.",
            type=REFERENCE,
            choices="unit",
            width=24,
        ),
        Column(
            "responsible_person",
            "责任人",
            "Responsible person",
            "可选，已登记人员的姓名；同名时写成“单位/姓名”。",
            "Optional, the name of a registered person; where two share a name write 'unit/name'.",
            type=REFERENCE,
        ),
        Column(
            "stage",
            "项目阶段",
            "Stage",
            "从下拉列表选择；空白表示新项目为储备。已有项目只能向后推进（按今天的日期记入阶段历史），回退请在项目页面操作。",
            "From the drop-down list; blank means reserve for a new project. An existing project only moves "
            "forward (recorded as of today); moving back is done on the project page.",
            type=REFERENCE,
            choices="stage",
            width=14,
        ),
        Column(
            "total_investment",
            "总投资（元）",
            "Total investment (yuan)",
            "以元为单位的数字，不能为负；也可写“3.5亿”“1200万”。",
            "A number in yuan, not negative; '3.5亿' or '1200万' are understood too.",
            type=MONEY,
            width=18,
        ),
        Column(
            "planned_start",
            "计划开工日期",
            "Planned start",
            "日期，如 2025-03-01。",
            "A date, e.g. 2025-03-01.",
            type=DATE,
            width=14,
        ),
        Column(
            "planned_end",
            "计划竣工日期",
            "Planned completion",
            "日期，不早于计划开工日期。",
            "A date, not before the planned start.",
            type=DATE,
            width=14,
        ),
        Column("description", "项目简介", "Description", "可选，建设内容等。", "Optional: what is built.", width=40),
        Column(
            "parent",
            "上级项目编号",
            "Parent project code",
            "分期项目（二期等）填写总项目的编号；可以是本表中新建的项目。",
            "For a phase (phase II …): the code of the whole project, which may be a new one in this file.",
            type=CODE,
            width=14,
        ),
    ),
)


MILESTONE_SHEET = Sheet(
    kind="milestones",
    title_zh="节点",
    title_en="Milestones",
    key_columns=("project", "kind"),
    columns=(
        Column(
            "project",
            "项目编号",
            "Project code",
            "节点所属项目的编号，须为您权限范围内的已有项目。",
            "The code of the node's project, an existing project within your scope.",
            type=CODE,
            required=True,
            width=14,
        ),
        Column(
            "kind",
            "节点类型",
            "Node kind",
            "从下拉列表选择。项目编号加节点类型确定一个节点：已有则更新，没有则新建。",
            "From the drop-down list. Project code and node kind identify a node: an existing one is updated, "
            "otherwise it is created.",
            type=REFERENCE,
            required=True,
            choices="kind",
            width=22,
        ),
        Column(
            "name",
            "节点名称",
            "Node name",
            "可选，空白时使用节点类型的名称。",
            "Optional; blank shows the node kind's name.",
            width=24,
        ),
        Column(
            "baseline_date",
            "基准日期",
            "Baseline date",
            "首次确定的日期，确定后不再改变；新节点空白时取计划日期。",
            "The first date set, which never changes afterwards; blank on a new node means the planned date.",
            type=DATE,
            width=14,
        ),
        Column(
            "planned_date",
            "计划日期",
            "Planned date",
            "当前计划完成日期；与系统中不同时按“其他原因”记录一次调整。",
            "The current planned date; a different date is recorded as a re-plan with the reason 'other'.",
            type=DATE,
            required=True,
            width=14,
        ),
        Column(
            "actual_date",
            "实际完成日期",
            "Actual date",
            "节点完成的日期，不能晚于今天；需要照片或文件佐证的节点请在项目页面办理完成。",
            "The date the node was met, not in the future; nodes that need a photo or document are completed "
            "on the project page.",
            type=DATE,
            width=14,
        ),
        Column(
            "responsible_unit",
            "责任单位",
            "Responsible unit",
            "可选，从下拉列表选择。",
            "Optional, from the drop-down list.",
            type=REFERENCE,
            choices="unit",
            width=24,
        ),
        Column(
            "document_number",
            "批复文号",
            "Document number",
            "审批类节点完成时的批复文号。",
            "The approval's document number, given when an approval node is met.",
            width=20,
        ),
    ),
)

REPORT_SHEET = Sheet(
    kind="reports",
    title_zh="月报",
    title_en="Reports",
    key_columns=("project", "period"),
    columns=(
        Column(
            "project",
            "项目编号",
            "Project code",
            "报告所属项目的编号，须为您权限范围内的项目。项目编号加期号（及统计区域）确定一份报告；"
            "报告在开启填报期时生成，导入只填写或修改已有的报告，不新建报告。",
            "The code of the report's project, within your scope. Project code and period (and round area) identify "
            "a report; reports are created when a round opens, so an import fills in or changes existing reports "
            "and never creates one.",
            type=CODE,
            required=True,
            width=14,
        ),
        Column(
            "project_name",
            "项目名称",
            "Project name",
            "仅供识别，导入时不读取。",
            "For reference only; the import does not read it.",
            width=30,
        ),
        Column(
            "period",
            "期号",
            "Period",
            "填报期，如 2025-03（也可写 2025年3月、202503）；季度填报写“2025-01-01 – 2025-03-31”。",
            "The reporting period, e.g. 2025-03 (2025年3月 or 202503 work too); for a quarterly round "
            "'2025-01-01 – 2025-03-31'.",
            type=CODE,
            required=True,
            width=14,
        ),
        Column(
            "round_area",
            "统计区域",
            "Round area",
            "开启该填报期的区域；项目在同一期有多份报告（如区级和市级）时必填，否则可空。",
            "The area whose round it is; needed only when the project has several reports for the period "
            "(a district's and the city's round, say).",
            type=REFERENCE,
            choices="area",
        ),
        Column(
            "status",
            "报告状态",
            "Report status",
            "导出时写明，导入时只核对：与系统中的状态不同即报错（文件可能已过时）；报送、审核在报告页面办理。"
            "只有草稿和被退回的报告可以通过导入修改，已报送或已通过的报告须在报告页面更正。",
            "Written by the export and only checked by the import: a status other than the report's current one is "
            "an error (the file may be out of date); submitting and reviewing happen on the report page. Only drafts "
            "and returned reports change by import; a submitted or accepted report is corrected on its page.",
            type=REFERENCE,
            choices="report_status",
            width=12,
        ),
        Column(
            "investment",
            "本期完成投资（元）",
            "Investment this period (yuan)",
            "本期（不是年初至今）完成的投资，以元为单位，不能为负；也可写“1200万”。空白表示未填。",
            "Investment completed in this period (not year to date), in yuan, not negative; '1200万' works too. "
            "Blank means not given.",
            type=MONEY,
            width=18,
        ),
        Column(
            "physical_progress",
            "形象进度（%）",
            "Physical progress (%)",
            "0 至 100 的数字，如 45 或 45%。",
            "A number from 0 to 100, e.g. 45 or 45%.",
            type=PERCENT,
            width=12,
        ),
        Column(
            "workers_on_site",
            "在岗工人数",
            "Workers on site",
            "整数，不能为负。",
            "A whole number, not negative.",
            type=COUNT,
            width=12,
        ),
        Column(
            "progress",
            "本期进展",
            "Progress this period",
            "本期完成的主要工作。",
            "The main work done in the period.",
            width=40,
        ),
        Column("next_steps", "下步计划", "Next steps", "下一期的工作计划。", "The work planned next.", width=30),
        Column(
            "difficulties",
            "存在困难",
            "Difficulties",
            "需要协调的困难（要交办跟踪的问题请用问题导入或问题页面提出）。",
            "Difficulties needing help (an issue to be assigned and tracked is raised through the issue import "
            "or the issue page).",
            width=30,
        ),
    ),
)


ISSUE_SHEET = Sheet(
    kind="issues",
    title_zh="问题",
    title_en="Issues",
    key_columns=("project", "title"),
    columns=(
        Column(
            "number",
            "问题编号",
            "Issue number",
            "空白的行新建问题；填写已有问题的编号（导出文件中的编号）则核对并更新该问题。"
            "已有问题只能通过导入改派牵头单位、配合单位和责任人（并为尚无时限的问题定时限），其他内容在问题页面办理。",
            "Blank: the row raises a new issue. The number of an existing issue (as exported) checks and updates that "
            "issue; an import only (re)assigns an existing issue's lead unit, co-units and responsible person (and "
            "sets the deadline of one that has none): everything else is done on the issue page.",
            type=CODE,
            width=10,
        ),
        Column(
            "project",
            "项目编号",
            "Project code",
            "问题所属项目的编号，须为您权限范围内的项目。",
            "The code of the issue's project, within your scope.",
            type=CODE,
            required=True,
            width=14,
        ),
        Column(
            "project_name",
            "项目名称",
            "Project name",
            "仅供识别，导入时不读取。",
            "For reference only; the import does not read it.",
            width=30,
        ),
        Column(
            "title",
            "问题摘要",
            "Summary",
            "一句话说明困难，最多 200 字。",
            "The difficulty in one line, at most 200 characters.",
            required=True,
            width=36,
        ),
        Column(
            "category",
            "问题类别",
            "Issue category",
            "从下拉列表选择。",
            "Choose from the drop-down list.",
            type=REFERENCE,
            required=True,
            choices="issue_category",
            width=14,
        ),
        Column(
            "severity",
            "严重程度",
            "Severity",
            "从下拉列表选择；空白为“一般”。",
            "From the drop-down list; blank means normal.",
            type=REFERENCE,
            choices="severity",
            width=10,
        ),
        Column(
            "source",
            "问题来源",
            "Source",
            "从下拉列表选择；空白为“单位或业主上报”。现场会上提出的问题请在活动页面录入。",
            "From the drop-down list; blank means reported by a unit or owner. Issues raised at an engagement are "
            "recorded on the engagement's page.",
            type=REFERENCE,
            choices="issue_source",
            width=16,
        ),
        Column(
            "raised_on",
            "提出日期",
            "Raised on",
            "日期，不能晚于今天；空白为今天。",
            "A date, not in the future; blank means today.",
            type=DATE,
            width=14,
        ),
        Column(
            "description",
            "详细情况",
            "Details",
            "可选，困难的详细说明。",
            "Optional: the difficulty in detail.",
            width=40,
        ),
        Column(
            "lead_unit",
            "牵头单位",
            "Lead unit",
            "交办给的牵头单位，从下拉列表选择；填写牵头单位须同时填写完成时限（交办需协调人权限）。空白表示待交办。",
            "The unit that leads the work, from the drop-down list; give it together with a deadline (assigning "
            "takes a coordinator). Blank leaves the issue waiting to be assigned.",
            type=REFERENCE,
            choices="unit",
            width=24,
        ),
        Column(
            "co_units",
            "配合单位",
            "Co-units",
            "可选，多个单位用“、”或“;”分隔。",
            "Optional; separate several units with '、' or ';'.",
            width=30,
        ),
        Column(
            "responsible_person",
            "责任人",
            "Responsible person",
            "可选，已登记人员的姓名；同名时写成“单位/姓名”。",
            "Optional, the name of a registered person; where two share a name write 'unit/name'.",
            type=REFERENCE,
        ),
        Column(
            "deadline",
            "完成时限",
            "Deadline",
            "日期，不早于提出日期。已有时限不能通过导入修改（改时限要说明理由，请在问题页面办理）。",
            "A date, not before the day raised. An existing deadline does not change by import (moving it needs "
            "a reason, given on the issue page).",
            type=DATE,
            width=14,
        ),
        Column(
            "status",
            "办理状态",
            "Status",
            "导出时写明，导入时只核对：新问题须为空白或“待办”，已有问题与系统中的状态不同即报错（文件可能已过时）；"
            "办理、办结、核销在问题页面进行。",
            "Written by the export and only checked by the import: blank or open for a new issue; for an existing "
            "one, a status other than its current one is an error (the file may be out of date). Responding, "
            "resolving and verifying happen on the issue page.",
            type=REFERENCE,
            choices="issue_status",
            width=14,
        ),
    ),
)

SHEETS = {sheet.kind: sheet for sheet in (PROJECT_SHEET, MILESTONE_SHEET, REPORT_SHEET, ISSUE_SHEET)}


def column_letter(index: int) -> str:
    """Spreadsheet column letters of a 0-based index: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters
