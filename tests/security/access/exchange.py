"""Import and export of sheets, open data (public by design), GeoJSON of the visible projects."""

from tests.security.access import Page, scoped, who
from tests.security.access import builders as b

PUBLIC = who(200, anonymous=200)
# Coordinators import projects; whoever reports on nodes imports their completions.
IMPORTERS = who(200, leader=403, viewer=403)


def _published(w):
    from groundbreak.portfolio.models import Project

    Project.objects.filter(pk=w.sj_project.pk).update(published=True)
    return {"code": w.sj_project.code}


PAGES = {
    "exchange:import": Page(get=IMPORTERS),
    "exchange:import-template": Page(
        get=who(403, admin=200, coordinator=200, mh_coordinator=200), kwargs=lambda w: {"kind": "projects"}
    ),
    # An import job is its uploader's alone (the Songjiang coordinator's here): everyone else gets 404.
    "exchange:import-job": Page(get=who(404), kwargs=lambda w: {"pk": b.import_job(w).pk}),
    "exchange:import-apply": Page(get=who(405), post=who(404), kwargs=lambda w: {"pk": b.import_job(w).pk}),
    "exchange:export-links": Page(get=who(200)),
    "exchange:export": Page(get=who(200), kwargs=lambda w: {"kind": "projects", "fmt": "xlsx"}),
    "exchange:opendata-list": Page(get=PUBLIC),
    "exchange:opendata-oc4ids": Page(get=who(404, anonymous=404)),  # nothing published in the world
    "exchange:opendata-geojson": Page(get=PUBLIC),
    # Unpublished projects do not exist for the public, whoever asks.
    "exchange:opendata-detail": Page(get=who(404, anonymous=404), kwargs=lambda w: {"code": w.sj_project.code}),
    "exchange:projects-geojson": Page(get=who(200)),
    "exchange:project-publish": Page(
        get=who(405), post=scoped(), kwargs=lambda w: {"code": w.sj_project.code}, data=lambda w: {"public": "1"}
    ),
}
