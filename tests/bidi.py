"""Whether customer text on a page sits in a bidirectional isolate, so it cannot reorder the
staff page around it (kyc_portal/validators.py says why)."""

from html.parser import HTMLParser

RLO = "\u202e"  # right-to-left override: reverses everything after it in its paragraph
VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                 "source", "track", "wbr"}  # fmt: skip


class _TextNodes(HTMLParser):
    """Collects (text, isolated) for each text node: isolated when inside a <bdi>, an element
    with dir="auto", or a <title> between U+2068 (first-strong isolate) and U+2069 (pop)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, bool]] = []
        self.nodes: list[tuple[str, bool]] = []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID_ELEMENTS:
            isolates = tag == "bdi" or dict(attrs).get("dir") == "auto"
            self.open.append((tag, isolates))

    def handle_endtag(self, tag):
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index][0] == tag:
                del self.open[index:]
                return

    def handle_data(self, data):
        if self.open and self.open[-1][0] == "title":
            before = data.split(RLO)[0]
            isolated = "\u2068" in before and "\u2069" not in before.rpartition("\u2068")[2]
        else:
            isolated = any(isolates for _tag, isolates in self.open)
        self.nodes.append((data, isolated))


def texts_with(html: str, marker: str = RLO) -> tuple[list[str], list[str]]:
    """(isolated, loose): the page's text nodes holding `marker`, split by whether they are
    isolated from the text around them."""
    parser = _TextNodes()
    parser.feed(html)
    isolated = [text for text, ok in parser.nodes if marker in text and ok]
    loose = [text for text, ok in parser.nodes if marker in text and not ok]
    return isolated, loose
