"""Reading the explorer's HTML in tests the way a browser builds its DOM, without a browser: the text
content of elements picked by an attribute."""

from __future__ import annotations

from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Elements(HTMLParser):
    """Collects, for every element carrying `attribute`, its attribute value and text content."""

    def __init__(self, attribute: str) -> None:
        super().__init__(convert_charrefs=True)
        self.attribute = attribute
        self.open: list[tuple[str, str | None, list[str]]] = []  # tag, attribute value, text parts
        self.found: list[tuple[str | None, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        values = dict(attrs)
        marked = self.attribute in values
        self.open.append((tag, values.get(self.attribute) if marked else None, [] if marked else None))  # type: ignore[arg-type]

    def handle_endtag(self, tag: str) -> None:
        while self.open:
            open_tag, value, parts = self.open.pop()
            if parts is not None:
                self.found.append((value, "".join(parts)))
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        for _, _, parts in self.open:
            if parts is not None:
                parts.append(data)


def texts(html: str, attribute: str) -> list[tuple[str | None, str]]:
    """(attribute value, text content) of each element carrying `attribute`, in the order they close."""
    parser = Elements(attribute)
    parser.feed(html)
    parser.close()
    return parser.found
