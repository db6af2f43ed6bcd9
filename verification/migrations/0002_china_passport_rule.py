from django.db import migrations


def add_rule(apps, schema_editor):
    PolicyRule = apps.get_model("verification", "PolicyRule")
    PolicyRule.objects.get_or_create(
        country="CN",
        document_type="passport",
        defaults={
            "severity": "block",
            "message_en": "Mainland Chinese passports are temporarily unable to pass KYC "
            "identity verification.",
            "message_zh_hans": "中国大陆护照暂时无法通过 KYC 身份认证。",
        },
    )


class Migration(migrations.Migration):
    dependencies = [("verification", "0001_initial")]
    operations = [migrations.RunPython(add_rule, migrations.RunPython.noop)]
