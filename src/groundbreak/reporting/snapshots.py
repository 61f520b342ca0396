"""The frozen figures of a closed round ("as reported on 31 March").

Closing a round writes one JSON document of every report's accepted figures, the derived sums as
they stood and the completeness per unit. It is stored as canonical text (sorted keys, no
spaces, decimals as strings) with its SHA-256, so the round can be shown exactly as closed,
whatever is corrected or renamed later, and any change to the stored text is detected.
"""

import hashlib
import json
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from groundbreak.reporting.figures import total, with_running_totals, zero_if_none
from groundbreak.reporting.models import IndicatorValue, ReportingRound, RoundSnapshot
from groundbreak.reporting.queries import completeness, completeness_by_unit

FORMAT = "groundbreak.reporting.round/1"
CENTS = Decimal("0.01")


def _amount(value) -> str | None:
    """Decimals as fixed-point text: the same on SQLite and PostgreSQL, and exact in JSON."""
    return None if value is None else format(Decimal(value).quantize(CENTS), "f")


def canonical(document: dict) -> str:
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def checksum(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _indicator_rows(round: ReportingRound) -> dict[int, list[dict]]:
    """Accepted indicator values of the round's reports by version, each with the year's total
    up to this round."""
    in_force = IndicatorValue.objects.filter(version__report__accepted=F("version"))
    achieved = total(
        in_force.filter(
            indicator=OuterRef("indicator"),
            version__report__round__year=round.year,
            version__report__round__period_end__lte=round.period_end,
        ),
        "value",
    )
    values = (
        in_force.filter(version__report__round=round)
        .select_related("indicator")
        .annotate(achieved=zero_if_none(achieved))
        .order_by("indicator__order", "indicator_id")
    )
    rows: dict[int, list[dict]] = {}
    for value in values:
        indicator = value.indicator
        rows.setdefault(value.version_id, []).append(
            {
                "id": indicator.pk,
                "name": indicator.name,
                "unit": indicator.unit,
                "target": _amount(indicator.target),
                "value": _amount(value.value),
                "achieved": _amount(value.achieved),
            }
        )
    return rows


def build(round: ReportingRound) -> dict:
    """The round's figures as they stand now, as a JSON-ready document."""
    reports = with_running_totals(
        round.reports.select_related("project__responsible_unit", "accepted"), own="accepted"
    ).order_by("project__code")
    indicators = _indicator_rows(round)
    rows = []
    for report in reports:
        version = report.accepted
        unit = report.project.responsible_unit
        figures = {
            "version": None,
            "investment": None,
            "investment_ytd": None,
            "investment_since_start": None,
            "physical_progress": None,
            "workers_on_site": None,
            "indicators": [],
        }
        if version is not None:
            figures = {
                "version": version.number,
                "investment": _amount(version.investment),
                "investment_ytd": _amount(report.ytd),
                "investment_since_start": _amount(report.since_start),
                "physical_progress": _amount(version.physical_progress),
                "workers_on_site": version.workers_on_site,
                "indicators": indicators.get(version.pk, []),
            }
        rows.append(
            {
                "report": report.pk,
                "project": {"id": report.project_id, "code": report.project.code, "name": report.project.name},
                "responsible_unit": {"id": unit.pk, "name": unit.name} if unit else None,
                "status": report.status,
                "first_submitted_on": report.first_submitted_on.isoformat() if report.first_submitted_on else None,
                "late": report.is_late,
                **figures,
            }
        )
    counts = ("expected", "submitted", "accepted", "late")
    units = [
        {"unit": {"id": row["unit_id"], "name": row["unit_name"]} if row["unit_id"] else None}
        | {key: row[key] for key in counts}
        for row in completeness_by_unit(round.reports.all())
    ]
    totals = completeness(round.reports.all())
    return {
        "format": FORMAT,
        "round": {
            "id": round.pk,
            "area": {"id": round.area_id, "name": round.area.name, "path": round.area.path},
            "period_start": round.period_start.isoformat(),
            "period_end": round.period_end.isoformat(),
            "due_on": round.due_on.isoformat(),
            "year_fraction": format(round.year_fraction, "f"),
        },
        "reports": rows,
        "units": units,
        "totals": {key: totals[key] for key in counts} | {"investment": _amount(totals["investment"])},
    }


def freeze(round: ReportingRound, *, by) -> RoundSnapshot:
    """Write the round's snapshot (the caller holds the transaction and closes the round)."""
    document = build(round)
    document["frozen_at"] = timezone.now().isoformat()
    text = canonical(document)
    return RoundSnapshot.objects.create(round=round, document=text, checksum=checksum(text), taken_by=by)


def read(snapshot: RoundSnapshot) -> dict:
    """The frozen document, after checking that its text still matches its checksum."""
    if checksum(snapshot.document) != snapshot.checksum:
        raise ValidationError(_("The snapshot of this round does not match its checksum: it was altered."))
    return json.loads(snapshot.document)
