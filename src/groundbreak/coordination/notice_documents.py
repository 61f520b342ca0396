"""The printed forms of a notice: a Word document (python-docx) and a PDF (reportlab).

Both print the same content, built once by `notice_content` in the active language (the reader's):
the issuing unit, the title of the kind, the number, the date, the addressee, the text, a table
of the issues, the reply deadline and the signature. The PDF uses reportlab's built-in CID font
STSong-Light, which every PDF reader maps to a Song typeface of its own, so Chinese prints
without shipping a font file.
"""

import io
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from groundbreak.coordination.models import Notice
from groundbreak.coordination.notice_choices import NoticeKind
from groundbreak.coordination.notice_queries import notice_issues

PDF_FONT = "STSong-Light"
DOCX_FONT = "SimSun"  # 宋体, the font Chinese official documents are set in


def _titles() -> dict[str, str]:
    return {
        NoticeKind.REMINDER: pgettext("notice title", "Reminder"),
        NoticeKind.SUPERVISION: pgettext("notice title", "Supervision Order"),
        NoticeKind.LIAISON: pgettext("notice title", "Liaison Note"),
        NoticeKind.REPORT: pgettext("notice title", "Report"),
    }


def _standard_text(notice: Notice) -> str:
    """What a notice says when its issuer wrote nothing of their own."""
    match notice.kind:
        case NoticeKind.REMINDER:
            return _(
                "The issues listed below, assigned to your unit, are approaching or past their deadline. "
                "Please push the work forward so that each is resolved on time."
            )
        case NoticeKind.SUPERVISION:
            return _(
                "The issues listed below, assigned to your unit, have not been resolved by their deadline. "
                "This order puts them under supervision: please give them your full attention, take "
                "effective measures without delay, and report in writing on what was done."
            )
        case NoticeKind.LIAISON:
            return _(
                "To move the projects below forward, your unit's cooperation is requested on the issues "
                "listed. Please liaise with the units concerned and reply with your opinion."
            )
        case _:
            return _("Our unit reports as follows on the issues listed below.")


@dataclass
class NoticeContent:
    issuer: str
    title: str
    number: str
    date: str
    addressee: str
    subject: str
    paragraphs: list[str]
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    reply: str = ""
    answers: str = ""
    signature: list[str] = field(default_factory=list)


def _date(value) -> str:
    return formats.date_format(value, "DATE_FORMAT") if value else "—"


def notice_content(notice: Notice) -> NoticeContent:
    """What the printed notice says, in the active language."""
    issuer = notice.issuer_unit.display_name if notice.issuer_unit else _("Key project headquarters")
    paragraphs = [line.strip() for line in (notice.body or _standard_text(notice)).splitlines() if line.strip()]
    rows = [
        [
            str(index),
            f"{issue.project.code} {issue.project.display_name}",
            issue.title,
            issue.lead_unit.display_name if issue.lead_unit else "—",
            _date(issue.deadline),
            issue.get_status_display(),
        ]
        for index, issue in enumerate(notice_issues(notice), start=1)
    ]
    reply = ""
    if notice.reply_by:
        reply = _("Please reply in writing by %(date)s.") % {"date": _date(notice.reply_by)}
    answers = ""
    if notice.answers_id:
        answers = _("In answer to %(number)s.") % {"number": notice.answers.display_number}
    return NoticeContent(
        issuer=issuer,
        title=_titles()[notice.kind],
        number=notice.display_number,
        date=_date(notice.issued_on),
        addressee=notice.addressee.display_name,
        subject=notice.subject,
        paragraphs=paragraphs,
        columns=[_("No."), _("Project"), _("Issue"), _("Lead unit"), _("Deadline"), _("Status")],
        rows=rows,
        reply=reply,
        answers=answers,
        signature=[issuer, _date(notice.issued_on)],
    )


def _labels() -> dict[str, str]:
    return {
        "to": _("To:"),
        "subject": _("Subject:"),
        "issues": _("Issues concerned"),
        "seal": _("(seal)"),
    }


# ---- Word ---------------------------------------------------------------------------------------


def render_docx(notice: Notice) -> bytes:
    """The notice as a Word document (A4)."""
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt, RGBColor

    content, labels = notice_content(notice), _labels()
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(30)
    section.left_margin = section.right_margin = Mm(25)
    normal = document.styles["Normal"]
    normal.font.name = DOCX_FONT
    normal.font.size = Pt(12)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), DOCX_FONT)

    def line(text, *, size=12, bold=False, align=None, color=None):
        paragraph = document.add_paragraph()
        run = paragraph.add_run(text)
        run.font.size, run.bold = Pt(size), bold
        if color:
            run.font.color.rgb = color
        if align is not None:
            paragraph.alignment = align
        return paragraph

    line(content.issuer, size=18, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, color=RGBColor(0xC0, 0, 0))
    line(content.title, size=22, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    line(content.number, align=WD_ALIGN_PARAGRAPH.CENTER)
    line(content.date, align=WD_ALIGN_PARAGRAPH.RIGHT)
    line(f"{labels['to']} {content.addressee}", bold=True)
    if content.subject:
        line(f"{labels['subject']} {content.subject}", bold=True)
    if content.answers:
        line(content.answers)
    for text in content.paragraphs:
        document.add_paragraph(text).paragraph_format.first_line_indent = Pt(24)
    line(labels["issues"], bold=True)
    table = document.add_table(rows=1, cols=len(content.columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, title in zip(table.rows[0].cells, content.columns, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(title).bold = True
    for row in content.rows:
        for cell, value in zip(table.add_row().cells, row, strict=True):
            cell.text = value
    if content.reply:
        line(content.reply, bold=True)
    document.add_paragraph()
    for text in content.signature:
        line(text, align=WD_ALIGN_PARAGRAPH.RIGHT)
    line(labels["seal"], align=WD_ALIGN_PARAGRAPH.RIGHT)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


# ---- PDF ----------------------------------------------------------------------------------------


def _pdf_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
    return PDF_FONT


def render_pdf(notice: Notice, *, compress: bool = True) -> bytes:
    """The notice as a PDF (A4). `compress=False` leaves the page streams readable (tests)."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = _pdf_font()
    content, labels = notice_content(notice), _labels()

    def style(name, size=11, **kwargs):
        return ParagraphStyle(name, fontName=font, fontSize=size, leading=size * 1.6, wordWrap="CJK", **kwargs)

    issuer = style("issuer", 18, alignment=TA_CENTER, textColor=colors.HexColor("#c00000"))
    title = style("title", 22, alignment=TA_CENTER, spaceBefore=4, spaceAfter=4)
    centred, right = style("centred", alignment=TA_CENTER), style("right", alignment=TA_RIGHT)
    text, body = style("text"), style("body", firstLineIndent=22)
    cell = style("cell", 9)

    def p(value, paragraph_style):
        return Paragraph(escape(value), paragraph_style)

    story = [p(content.issuer, issuer), p(content.title, title), p(content.number, centred), p(content.date, right)]
    story.append(p(f"{labels['to']} {content.addressee}", text))
    if content.subject:
        story.append(p(f"{labels['subject']} {content.subject}", text))
    if content.answers:
        story.append(p(content.answers, text))
    story.extend(p(paragraph, body) for paragraph in content.paragraphs)
    story += [Spacer(1, 4 * mm), p(labels["issues"], text)]
    table = Table(
        [[p(value, cell) for value in row] for row in [content.columns, *content.rows]],
        colWidths=[width * mm for width in (10, 34, 48, 28, 22, 18)],  # 160 mm between the margins
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story.append(table)
    if content.reply:
        story += [Spacer(1, 4 * mm), p(content.reply, text)]
    story.append(Spacer(1, 12 * mm))
    story.extend(p(value, right) for value in [*content.signature, labels["seal"]])
    output = io.BytesIO()
    SimpleDocTemplate(
        output,
        pagesize=A4,
        leftMargin=25 * mm,
        rightMargin=25 * mm,
        topMargin=25 * mm,
        bottomMargin=25 * mm,
        title=f"{content.title} {content.number}",
        invariant=not compress,
        pageCompression=1 if compress else 0,
    ).build(story)
    return output.getvalue()
