from django.db import migrations, models

# Readings stored before per-field trust: a valid one had every field trusted.
ALL_FIELDS = [
    "document_type",
    "country",
    "surname",
    "names",
    "number",
    "nationality",
    "date_of_birth",
    "sex",
    "expiration_date",
    "optional_data",
    "optional_data_2",
]


def trust_earlier_valid_readings(apps, schema_editor):
    OcrResult = apps.get_model("verification", "OcrResult")
    OcrResult.objects.filter(valid=True).update(trusted_fields=ALL_FIELDS)


class Migration(migrations.Migration):
    dependencies = [
        ("verification", "0007_declaration"),
    ]

    operations = [
        migrations.AlterField(
            model_name="ocrresult",
            name="mrz_type",
            field=models.CharField(blank=True, max_length=5),
        ),
        migrations.AddField(
            model_name="ocrresult",
            name="trusted_fields",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name="ocrresult",
            name="unsure_positions",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(trust_earlier_valid_readings, migrations.RunPython.noop),
    ]
