# Index-only: found by the province-scale benchmark (docs/performance.md). Plain SQL, so the model
# state is unchanged; partial indexes work on PostgreSQL and SQLite alike.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("schedule", "0002_defaults")]

    operations = [
        # The light rules ask, per project, "is any unfinished node overdue / due soon?": only
        # unfinished nodes matter, a tenth of them once a project is under way.
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS schedule_milestone_open_by_project "
            "ON schedule_milestone (project_id, planned_date) WHERE actual_date IS NULL",
            "DROP INDEX IF EXISTS schedule_milestone_open_by_project",
        ),
        # The API's node list is ordered by (planned_date, order, id): without this index a page
        # sorts all 500,000 nodes (an external merge on disk) to return 100.
        migrations.RunSQL(
            'CREATE INDEX IF NOT EXISTS schedule_milestone_list_order ON schedule_milestone (planned_date, "order", id)',
            "DROP INDEX IF EXISTS schedule_milestone_list_order",
        ),
    ]
