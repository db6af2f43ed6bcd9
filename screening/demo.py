"""The sample list shipped with the portal: made-up people, so a fresh machine screens
against something (make run) and tests have data. Never a substitute for the real lists."""

from pathlib import Path

from .loading import LoadResult, load_watchlist
from .models import Watchlist

SAMPLE_LIST = Path(__file__).resolve().parent / "data" / "sample_watchlist.ftm.jsonl"
SAMPLE_DATASET = "sample"


def ensure_sample_watchlist() -> LoadResult | None:
    """Loads the sample list when no watchlist is loaded at all; None when one already is."""
    if Watchlist.objects.filter(active_version__isnull=False).exists():
        return None
    return load_watchlist(SAMPLE_LIST, SAMPLE_DATASET)
