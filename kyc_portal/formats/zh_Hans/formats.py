"""One date format for Chinese pages and emails: "2026年12月2日" and "2026年12月2日 14:05 UTC"."""

DATE_FORMAT = "Y年n月j日"
DATETIME_FORMAT = "Y年n月j日 H:i T"
