from django import template

from notifications.timeline import timeline_for

register = template.Library()


@register.simple_tag
def customer_timeline(verification):
    """{% customer_timeline verification as timeline %} for verification/_timeline.html."""
    return timeline_for(verification) if verification is not None else None
