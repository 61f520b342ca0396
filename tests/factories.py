"""Factories for the test suite: small, explicit, Chinese names like the real data."""

import datetime

import factory
from django.utils import timezone

from groundbreak.org.choices import AreaKind, Role, UnitKind
from groundbreak.org.models import Area, Person, Unit, User
from groundbreak.portfolio.choices import Category
from groundbreak.portfolio.models import KeyList, Project
from groundbreak.schedule.models import Milestone, MilestoneKind, ReplanReason

TEST_PASSWORD = "Correct-Horse-42"


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area

    name = factory.Sequence(lambda n: f"测试区{n}")
    kind = AreaKind.DISTRICT


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"测试单位{n}")
    kind = UnitKind.DEPARTMENT
    area = factory.SubFactory(AreaFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.VIEWER
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"张{n}")
    title = "副区长"


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    code = factory.Sequence(lambda n: f"P-{n:04d}")
    name = factory.Sequence(lambda n: f"测试项目{n}")
    category = Category.INDUSTRIAL
    area = factory.SubFactory(AreaFactory)
    planned_start = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=100))


class KeyListFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KeyList

    name = factory.Sequence(lambda n: f"重点项目清单{n}")
    year = factory.LazyFunction(lambda: timezone.localdate().year)
    level = "municipal"
    area = factory.SubFactory(AreaFactory)


def _defaults_installed() -> None:
    # Tests on a flushed database (transactional tests run before) lose what migrations installed.
    from groundbreak.schedule.defaults import install_defaults

    install_defaults()


def kind(code: str = "groundbreaking") -> MilestoneKind:
    """A default node kind installed by the schedule migration."""
    if not MilestoneKind.objects.filter(code=code).exists():
        _defaults_installed()
    return MilestoneKind.objects.get(code=code)


def reason(code: str = "approvals") -> ReplanReason:
    if not ReplanReason.objects.filter(code=code).exists():
        _defaults_installed()
    return ReplanReason.objects.get(code=code)


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    project = factory.SubFactory(ProjectFactory)
    kind = factory.LazyFunction(lambda: kind("land_handover"))
    planned_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=60))
    baseline_date = factory.LazyAttribute(lambda m: m.planned_date)


# ---- coordination (models named by label, so this module's imports stay at its top) -------------


def category(code: str = "other"):
    """A default issue category installed by the coordination migration."""
    from groundbreak.coordination.models import IssueCategory

    return IssueCategory.objects.get(code=code)


class EngagementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "coordination.Engagement"
        skip_postgeneration_save = True

    kind = "office_meeting"
    title = factory.Sequence(lambda n: f"现场办公会{n}")
    date = factory.LazyFunction(timezone.localdate)

    @factory.post_generation
    def projects(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.projects.set(extracted)


class IssueFactory(factory.django.DjangoModelFactory):
    """An assigned open issue, written directly (tests of the actions go through the actions)."""

    class Meta:
        model = "coordination.Issue"

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"困难问题{n}")
    category = factory.LazyFunction(category)
    raised_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=10))
    lead_unit = factory.SubFactory(UnitFactory)
    deadline = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=10))


# ---- reporting (models named by label, so this module's imports stay at its top) ----------------


def month_end(day: datetime.date) -> datetime.date:
    following = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


class RoundFactory(factory.django.DjangoModelFactory):
    """A round of one calendar month, without reports (tests of opening go through `open_round`)."""

    class Meta:
        model = "reporting.ReportingRound"

    area = factory.SubFactory(AreaFactory)
    period_start = datetime.date(2025, 3, 1)
    period_end = factory.LazyAttribute(lambda r: month_end(r.period_start))
    due_on = factory.LazyAttribute(lambda r: r.period_end + datetime.timedelta(days=5))


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "reporting.Indicator"

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"新增森林{n}")
    unit = "mu"
    target = 650
    year = 2025
