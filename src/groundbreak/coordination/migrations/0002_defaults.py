from django.db import migrations


def forwards(apps, schema_editor):
    from groundbreak.coordination.defaults import install_defaults

    install_defaults(apps)


class Migration(migrations.Migration):
    dependencies = [("coordination", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
