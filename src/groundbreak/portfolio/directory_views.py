"""Pages of areas, units and people, each with the projects the user may see under them."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render

from groundbreak.audit.queries import history_page
from groundbreak.core.pagination import paginate
from groundbreak.org.models import Area, Person, Unit
from groundbreak.org.permissions import sees_everything
from groundbreak.portfolio.models import Project
from groundbreak.portfolio.queries import light_counts, visible_projects


def _visible_areas(user):
    if sees_everything(user):
        return Area.objects.all()
    if user.scope_area_id:
        return Area.objects.subtree(user.scope_area)
    return Area.objects.filter(Q(projects__in=Project.objects.for_user(user))).distinct()


@login_required
def area_list(request):
    visible = Project.objects.for_user(request.user)
    areas = _visible_areas(request.user).annotate(
        n_projects=Count("projects", filter=Q(projects__in=visible), distinct=True)
    )
    q = request.GET.get("q", "").strip()
    if q:
        areas = areas.filter(Q(name__icontains=q) | Q(name_en__icontains=q) | Q(gb_code__startswith=q))
    return render(request, "portfolio/directory/area_list.html", {"page": paginate(request, areas, 100), "q": q})


@login_required
def area_detail(request, pk):
    area = get_object_or_404(_visible_areas(request.user), pk=pk)
    projects = visible_projects(request.user).filter(
        Q(area__path__startswith=area.path) | Q(zone__path__startswith=area.path)
    )
    return render(
        request,
        "portfolio/directory/area_detail.html",
        {
            "area": area,
            "ancestors": area.ancestors(),
            "children": area.children.all(),
            "units": area.units.all()[:50],
            "page": paginate(request, projects.order_by("code")),
            "light_counts": light_counts(projects),
            **history_page(request, area),
        },
    )


def _visible_units(user):
    if sees_everything(user):
        return Unit.objects.all()
    condition = Q(pk=user.scope_unit_id) if user.scope_unit_id else Q(pk__in=[])
    if user.scope_area_id:
        condition |= Q(area__path__startswith=user.scope_area.path)
    visible = Project.objects.for_user(user)
    condition |= Q(pk__in=visible.values("responsible_unit")) | Q(pk__in=visible.values("owner_unit"))
    return Unit.objects.filter(condition)


@login_required
def unit_list(request):
    units = _visible_units(request.user).select_related("area")
    q = request.GET.get("q", "").strip()
    if q:
        units = units.filter(Q(name__icontains=q) | Q(name_en__icontains=q) | Q(short_name__icontains=q))
    kind = request.GET.get("kind", "")
    if kind:
        units = units.filter(kind=kind)
    from groundbreak.org.choices import UnitKind

    return render(
        request,
        "portfolio/directory/unit_list.html",
        {"page": paginate(request, units), "q": q, "kind": kind, "kinds": UnitKind.choices},
    )


@login_required
def unit_detail(request, pk):
    unit = get_object_or_404(_visible_units(request.user).select_related("area"), pk=pk)
    projects = visible_projects(request.user).filter(Q(responsible_unit=unit) | Q(owner_unit=unit))
    return render(
        request,
        "portfolio/directory/unit_detail.html",
        {
            "unit": unit,
            "people": unit.people.all(),
            "page": paginate(request, projects.order_by("code")),
            "light_counts": light_counts(projects),
            **history_page(request, unit),
        },
    )


def _visible_people(user):
    units = _visible_units(user)
    visible = Project.objects.for_user(user)
    return Person.objects.filter(
        Q(unit__in=units) | Q(pk__in=visible.values("lead_leader")) | Q(pk__in=visible.values("responsible_person"))
    )


@login_required
def person_list(request):
    people = _visible_people(request.user).select_related("unit")
    q = request.GET.get("q", "").strip()
    if q:
        people = people.filter(
            Q(name__icontains=q) | Q(name_en__icontains=q) | Q(title__icontains=q) | Q(unit__name__icontains=q)
        )
    if request.GET.get("leaders"):
        people = people.filter(is_leader=True)
    return render(
        request,
        "portfolio/directory/person_list.html",
        {"page": paginate(request, people), "q": q, "leaders": request.GET.get("leaders")},
    )


@login_required
def person_detail(request, pk):
    person = get_object_or_404(_visible_people(request.user).select_related("unit"), pk=pk)
    led = visible_projects(request.user).filter(lead_leader=person).order_by("code")
    responsible = visible_projects(request.user).filter(responsible_person=person).order_by("code")
    return render(
        request,
        "portfolio/directory/person_detail.html",
        {
            "person": person,
            "led": led,
            "responsible": responsible,
            "light_counts": light_counts(led),
            **history_page(request, person),
        },
    )
