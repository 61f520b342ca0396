# Index-only: found by the province-scale benchmark (docs/performance.md). Plain SQL, so the model
# state is unchanged.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("portfolio", "0003_coordinates_range_keylist_unique")]

    operations = [
        # "Paused without news" reads the last pause or pause update of each paused project.
        migrations.RunSQL(
            'CREATE INDEX IF NOT EXISTS portfolio_stagechange_project_kind_on ON portfolio_stagechange (project_id, kind, "on")',
            "DROP INDEX IF EXISTS portfolio_stagechange_project_kind_on",
        ),
    ]
