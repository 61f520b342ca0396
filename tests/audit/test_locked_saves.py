"""Saves of a row locked in the transaction (`remember_locked`): compared with the locked state,
without reading the row again, and logged exactly as a fresh read would log them."""

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from groundbreak.audit.chain import verify
from groundbreak.audit.models import ObjectChange
from groundbreak.audit.recording import remember_locked
from groundbreak.portfolio.models import Project


def _entries(project):
    return list(
        ObjectChange.objects.filter(
            content_type=ContentType.objects.get_for_model(Project), object_id=str(project.pk), action="update"
        ).order_by("seq")
    )


def _queries_of_save(instance) -> int:
    with CaptureQueriesContext(connection) as ctx:
        instance.save()
    return len(ctx.captured_queries)


def test_locked_saves_log_the_same_changes_without_a_second_read(world):
    before = len(_entries(world.sj_project))
    with transaction.atomic():
        plain = Project.objects.select_for_update().get(pk=world.sj_project.pk)
        plain.description = "先改说明"
        read_again = _queries_of_save(plain)
        project = Project.objects.select_for_update().get(pk=world.sj_project.pk)
        remember_locked(project)
        old_name = project.name
        project.name = "新名称"
        assert _queries_of_save(project) == read_again - 1  # the change log's read of the row
        project.description = "二次修改"
        project.save()
    first, second, third = _entries(world.sj_project)[before:]
    assert first.changes["description"]["after"] == "先改说明"
    assert second.changes == {"name": {"before": old_name, "after": "新名称"}}
    assert third.changes["description"] == {"before": "先改说明", "after": "二次修改"}
    assert "name" not in third.changes
    assert verify().ok


def test_an_unlocked_save_still_reads_the_row(world):
    project = Project.objects.get(pk=world.sj_project.pk)
    Project.objects.filter(pk=project.pk).update(name="改于别处")  # behind the instance's back
    project.description = "只改说明"
    project.save()
    entry = _entries(world.sj_project)[-1]
    # Compared with the row as it was, not with the stale instance: the name change shows.
    assert entry.changes["name"] == {"before": "改于别处", "after": project.name}
