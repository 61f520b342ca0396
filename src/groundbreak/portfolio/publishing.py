"""Publishing a project as open data: the one action that decides what the public may see."""

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction

from groundbreak.org.permissions import require_perm
from groundbreak.portfolio.models import Project


def _check(by, project: Project) -> None:
    if by is None:
        return
    require_perm(by, "project.publish")
    if not Project.objects.for_user(by).filter(pk=project.pk).exists():
        raise ObjectDoesNotExist("project outside the user's scope")


def publish_project(*, project: Project, public: bool, by) -> Project:
    """Publish the project on the open-data page and in the OC4IDS export, or withdraw it.

    Needs the `project.publish` permission and the project in the user's scope (PermissionDenied,
    ObjectDoesNotExist otherwise); `by=None` is the system. Setting the state it already has
    changes nothing and records nothing.
    """
    _check(by, project)
    with transaction.atomic():
        current = Project.objects.select_for_update().get(pk=project.pk)
        if current.is_public != public:
            current.is_public = public
            # A bump of the version makes an edit form opened before this save stale, so it
            # cannot quietly put the old publication state back.
            current.version += 1
            current.save()
    project.refresh_from_db()
    return project
