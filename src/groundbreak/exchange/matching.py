"""Finding areas, units, people and choices by the names people type.

Spreadsheets from different offices spell the same name differently: full-width letters, stray
spaces, traditional characters, the English name. Names are compared after folding all of that
away. A name that fits two records is an error naming both, never a guess; "qualifier/name"
(parent area, unit's area, person's unit) tells them apart, and the export writes that form
wherever a plain name would be ambiguous, so what it writes always reads back as the same record.
"""

import functools
import unicodedata
from collections.abc import Callable, Iterable

from django.utils import translation
from django.utils.translation import gettext as _

from groundbreak.core.i18n import localized


@functools.cache
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


@functools.lru_cache(maxsize=100_000)
def normalize(value: str) -> str:
    """A name folded for comparison: NFKC, no whitespace, simplified characters, no case."""
    value = unicodedata.normalize("NFKC", value or "")
    value = "".join(value.split())
    if not value.isascii():
        value = _converter().convert(value)
    return value.casefold()


class MatchError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _names(*values) -> list[str]:
    return [v for v in values if v]


class Lookup:
    """Records findable by name (first), alias (codes, short names) and "qualifier/name"."""

    def __init__(
        self,
        records: Iterable,
        *,
        noun: str,
        names: Callable[[object], Iterable[str]],
        aliases: Callable[[object], Iterable[str]] = lambda r: (),
        qualifiers: Callable[[object], Iterable[str]] = lambda r: (),
        display: Callable[[object], str] = str,
        qualifier_display: Callable[[object], str] = lambda r: "",
        choices_hint: bool = False,
    ):
        self.noun = noun
        self.records = list(records)
        self._display = display
        self._qualifier_display = qualifier_display
        self._qualifiers = qualifiers
        self._choices_hint = choices_hint
        self._by_name: dict[str, list] = {}
        self._by_alias: dict[str, list] = {}
        for record in self.records:
            for index, getter in ((self._by_name, names), (self._by_alias, aliases)):
                for key in {normalize(n) for n in getter(record) if n}:
                    index.setdefault(key, []).append(record)
        self.by_pk = {r.pk: r for r in self.records if getattr(r, "pk", None) is not None}
        self._labels: dict[int, str] = {}

    def _candidates(self, value: str) -> list:
        key = normalize(value)
        found = self._by_name.get(key) or self._by_alias.get(key)
        if found:
            return found
        if "/" in key:
            qualifier, name = key.rsplit("/", 1)
            within = self._by_name.get(name) or self._by_alias.get(name) or []
            return [r for r in within if qualifier in {normalize(q) for q in self._qualifiers(r) if q}]
        return []

    def find(self, value: str):
        """The one record `value` names; MatchError when none or several do."""
        found = self._candidates(value)
        if len(found) == 1:
            return found[0]
        if not found:
            if self._choices_hint:
                raise MatchError(
                    _("Unknown %(noun)s “%(value)s”; choose one of: %(choices)s.")
                    % {"noun": self.noun, "value": value, "choices": "、".join(self.labels())}
                )
            raise MatchError(_("No %(noun)s is named “%(value)s”.") % {"noun": self.noun, "value": value})
        candidates = "、".join(sorted(self.label(r) for r in found))
        raise MatchError(
            _("“%(value)s” fits several: %(candidates)s. Write the one you mean as it is written here.")
            % {"value": value, "candidates": candidates}
        )

    def label(self, record) -> str:
        """The shortest text, in the active language, that finds exactly this record again."""
        # Records loaded elsewhere (a project's area) stand for the lookup's own copy.
        record = self.by_pk.get(getattr(record, "pk", None), record)
        key = id(record)
        if key not in self._labels:
            display = self._display(record)
            qualified = f"{self._qualifier_display(record)}/{display}"
            self._labels[key] = display
            for candidate in (display, qualified):
                found = self._candidates(candidate)
                if len(found) == 1 and found[0] is record:
                    self._labels[key] = candidate
                    break
        return self._labels[key]

    def labels(self) -> list[str]:
        return [self.label(r) for r in self.records]


class Choice:
    """A choice value with both labels, so a lookup can find it whichever language is active."""

    def __init__(self, value: str, zh: str, en: str):
        self.value, self.zh, self.en = value, zh, en

    def __str__(self) -> str:
        return localized(self.zh, self.en)


def choice_lookup(choices, *, noun: str) -> Lookup:
    """Lookup of a TextChoices by its value or its label in either language."""
    items = []
    for value, label in choices.choices:
        with translation.override("zh-hans"):
            zh = str(label)
        with translation.override("en"):
            en = str(label)
        items.append(Choice(value, zh, en))
    # Aliases are text: IntegerChoices (severity) have numbers as values.
    return Lookup(
        items,
        noun=noun,
        names=lambda c: (c.zh, c.en),
        aliases=lambda c: (str(c.value),),
        display=str,
        choices_hint=True,
    )


def area_lookup() -> Lookup:
    from groundbreak.org.models import Area

    areas = list(Area.objects.select_related("parent"))
    return Lookup(
        areas,
        noun=_("area"),
        names=lambda a: _names(a.name, a.name_en),
        aliases=lambda a: _names(a.gb_code),
        qualifiers=lambda a: _names(a.parent.name, a.parent.name_en) if a.parent else (),
        display=lambda a: a.display_name,
        qualifier_display=lambda a: a.parent.display_name if a.parent else "",
    )


def unit_lookup() -> Lookup:
    from groundbreak.org.models import Unit

    units = list(Unit.objects.select_related("area"))
    return Lookup(
        units,
        noun=_("unit"),
        names=lambda u: _names(u.name, u.name_en),
        aliases=lambda u: _names(u.short_name),
        qualifiers=lambda u: _names(u.area.name, u.area.name_en),
        display=lambda u: u.display_name,
        qualifier_display=lambda u: u.area.display_name,
    )


def person_lookup(*, leaders_only: bool = False) -> Lookup:
    from groundbreak.org.models import Person

    people = Person.objects.select_related("unit")
    if leaders_only:
        people = people.filter(is_leader=True)
    return Lookup(
        list(people),
        noun=_("leader") if leaders_only else _("person"),
        names=lambda p: _names(p.name, p.name_en),
        qualifiers=lambda p: _names(
            p.title, p.title_en, *((p.unit.name, p.unit.name_en, p.unit.short_name) if p.unit else ())
        ),
        display=lambda p: p.display_name,
        qualifier_display=lambda p: p.unit.display_name if p.unit else p.display_title,
    )


def kind_lookup() -> Lookup:
    from groundbreak.schedule.models import MilestoneKind

    return Lookup(
        list(MilestoneKind.objects.all()),
        noun=_("node kind"),
        names=lambda k: _names(k.name, k.name_en),
        aliases=lambda k: (k.code,),
        display=lambda k: k.display_name,
        choices_hint=True,
    )


def issue_category_lookup() -> Lookup:
    from groundbreak.coordination.models import IssueCategory

    return Lookup(
        list(IssueCategory.objects.all()),
        noun=_("issue category"),
        names=lambda c: _names(c.name, c.name_en),
        aliases=lambda c: (c.code,),
        display=lambda c: c.display_name,
        choices_hint=True,
    )


class Lookups:
    """The lookups of one import or export, each loaded once when first needed, so labels written
    to a sheet and names read from it go through the same records."""

    @functools.cached_property
    def areas(self) -> Lookup:
        return area_lookup()

    @functools.cached_property
    def units(self) -> Lookup:
        return unit_lookup()

    @functools.cached_property
    def leaders(self) -> Lookup:
        return person_lookup(leaders_only=True)

    @functools.cached_property
    def people(self) -> Lookup:
        return person_lookup()

    @functools.cached_property
    def kinds(self) -> Lookup:
        return kind_lookup()

    @functools.cached_property
    def categories(self) -> Lookup:
        from groundbreak.portfolio.choices import Category

        return choice_lookup(Category, noun=_("category"))

    @functools.cached_property
    def stages(self) -> Lookup:
        from groundbreak.portfolio.choices import Stage

        return choice_lookup(Stage, noun=_("stage"))

    @functools.cached_property
    def issue_categories(self) -> Lookup:
        return issue_category_lookup()

    @functools.cached_property
    def severities(self) -> Lookup:
        from groundbreak.coordination.choices import Severity

        return choice_lookup(Severity, noun=_("severity"))

    @functools.cached_property
    def issue_sources(self) -> Lookup:
        from groundbreak.coordination.choices import IssueSource

        return choice_lookup(IssueSource, noun=_("source"))

    @functools.cached_property
    def issue_statuses(self) -> Lookup:
        from groundbreak.coordination.choices import IssueStatus

        return choice_lookup(IssueStatus, noun=_("status"))

    @functools.cached_property
    def report_statuses(self) -> Lookup:
        from groundbreak.reporting.choices import ReportStatus

        return choice_lookup(ReportStatus, noun=_("status"))
