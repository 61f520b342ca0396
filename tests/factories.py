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


def kind(code: str = "groundbreaking") -> MilestoneKind:
    """A default node kind installed by the schedule migration."""
    return MilestoneKind.objects.get(code=code)


def reason(code: str = "approvals") -> ReplanReason:
    return ReplanReason.objects.get(code=code)


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    project = factory.SubFactory(ProjectFactory)
    kind = factory.LazyFunction(lambda: kind("land_handover"))
    planned_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=60))
    baseline_date = factory.LazyAttribute(lambda m: m.planned_date)
