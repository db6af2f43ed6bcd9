from django.db import migrations, models


class Migration(migrations.Migration):
    """Versions loaded before the field existed were indexed under scheme 1 (no deletion keys);
    new loads record the scheme of their day."""

    dependencies = [
        ("screening", "0003_lease_token"),
    ]

    operations = [
        migrations.AddField(
            model_name="watchlistversion",
            name="key_scheme",
            field=models.PositiveSmallIntegerField(default=1),
        ),
        migrations.AlterField(
            model_name="watchlistversion",
            name="key_scheme",
            field=models.PositiveSmallIntegerField(default=2),
        ),
    ]
