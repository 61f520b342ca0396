# Index-only, found by the province-scale benchmark (docs/performance.md): plain SQL, model state
# unchanged; a partial index works on PostgreSQL and SQLite alike.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("schedule", "0003_bench_indexes")]

    operations = [
        # The dashboard's "overdue nodes, oldest first" walked the (planned_date, order, id) index
        # through every finished node (326,314 rows filtered away for 11 at province scale).
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS schedule_milestone_open_by_date "
            "ON schedule_milestone (planned_date, id) WHERE actual_date IS NULL",
            "DROP INDEX IF EXISTS schedule_milestone_open_by_date",
        ),
    ]
