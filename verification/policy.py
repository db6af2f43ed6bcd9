"""Policy rules staff edit in the admin, such as "Mainland Chinese passports cannot pass KYC"."""

from django.db.models import Q
from django.utils import translation

from .models import PolicyRule


def rules_for(nationality, document_type) -> list[PolicyRule]:
    """Active rules for a nationality and document type, blocking rules first."""
    if not nationality:
        return []
    rules = PolicyRule.objects.filter(active=True, country=str(nationality)).filter(
        Q(document_type="") | Q(document_type=document_type or "")
    )
    return sorted(rules, key=lambda rule: rule.severity != PolicyRule.Severity.BLOCK)


def blocking_rule(nationality, document_type) -> PolicyRule | None:
    """The rule that stops this combination, or None when the customer may continue."""
    for rule in rules_for(nationality, document_type):
        if rule.severity == PolicyRule.Severity.BLOCK:
            return rule
    return None


def warnings_for(nationality, document_type) -> list[str]:
    """Warning messages (in the active language) the customer should read before continuing."""
    language = translation.get_language() or "en"
    return [
        rule.message(language)
        for rule in rules_for(nationality, document_type)
        if rule.severity == PolicyRule.Severity.WARN
    ]


def message_of(rule: PolicyRule) -> str:
    return rule.message(translation.get_language() or "en")
