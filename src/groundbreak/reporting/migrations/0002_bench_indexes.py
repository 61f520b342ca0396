# Index-only: found by the province-scale benchmark (docs/performance.md). Plain SQL, so the model
# state is unchanged; partial indexes work on PostgreSQL and SQLite alike.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("reporting", "0001_initial")]

    operations = [
        # Investment to date and the latest accepted period are sums over a project's accepted
        # reports: look them up by project, with the round and version in the index.
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS reporting_report_accepted_by_project "
            "ON reporting_report (project_id, round_id, accepted_id) WHERE accepted_id IS NOT NULL",
            "DROP INDEX IF EXISTS reporting_report_accepted_by_project",
        ),
    ]
