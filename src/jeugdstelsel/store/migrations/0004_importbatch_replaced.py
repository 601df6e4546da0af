# ruff: noqa: RUF012  (a Django migration)
# Generated for jeugdstelsel: ImportBatch.replaced (undo restores overwritten own figures)

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("store", "0003_municipal_calibration"),
    ]

    operations = [
        migrations.AddField(
            model_name="importbatch",
            name="replaced",
            field=models.JSONField(blank=True, default=list),
        ),
    ]
