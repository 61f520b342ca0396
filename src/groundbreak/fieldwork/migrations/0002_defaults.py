from django.db import migrations


def forwards(apps, schema_editor):
    from groundbreak.fieldwork.defaults import install_defaults

    install_defaults(apps)


class Migration(migrations.Migration):
    dependencies = [("fieldwork", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
