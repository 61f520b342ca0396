from django.urls import path, re_path

from groundbreak.exchange import tabular_views
from groundbreak.exchange.exporting import FORMATS
from groundbreak.exchange.kinds import KINDS

# Spelled out, so other exports under /export/ (open data) are not swallowed by these.
_KINDS = "|".join(KINDS)
_FORMATS = "|".join(FORMATS)

urlpatterns = [
    path("import/", tabular_views.import_start, name="import"),
    re_path(rf"^import/templates/(?P<kind>{_KINDS})\.xlsx$", tabular_views.import_template, name="import-template"),
    path("import/<int:pk>/", tabular_views.import_job, name="import-job"),
    path("import/<int:pk>/apply/", tabular_views.import_apply, name="import-apply"),
    path("export/links/", tabular_views.export_links, name="export-links"),
    re_path(rf"^export/(?P<kind>{_KINDS})\.(?P<fmt>{_FORMATS})$", tabular_views.export_file, name="export"),
]
