from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

register = template.Library()

SEPARATOR = " · "


@register.tag
def page_title(parser, token):
    """{% page_title %}{% block title %}{% endblock %}{% endpage_title %}: "Page · KYC Portal".

    A template cannot ask whether a child filled a block, so this renders the block first and
    adds the separator only when it has text; a page without a title reads "KYC Portal".
    """
    nodelist = parser.parse(("endpage_title",))
    parser.delete_first_token()
    return PageTitleNode(nodelist)


class PageTitleNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        # The template already escaped the block; trimming whitespace keeps it escaped.
        page = mark_safe(self.nodelist.render(context).strip())  # noqa: S308
        portal = gettext("KYC Portal")
        if not page:
            return conditional_escape(portal)
        return format_html("{}{}{}", page, SEPARATOR, portal)
