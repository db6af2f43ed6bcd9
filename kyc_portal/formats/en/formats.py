"""One date format for English pages and emails: "2 Dec 2026" and "2 Dec 2026, 14:05 UTC"."""

DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i T"
