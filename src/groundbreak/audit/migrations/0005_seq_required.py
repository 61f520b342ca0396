from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0004_hash_existing_changes'),
    ]

    operations = [
        migrations.AlterField(
            model_name='objectchange',
            name='seq',
            field=models.BigIntegerField(editable=False, unique=True, verbose_name='sequence'),
        ),
    ]
