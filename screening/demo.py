"""The sample list shipped with the portal: made-up people, so a fresh machine screens
against something (make run) and tests have data. Never a substitute for the real lists."""

from pathlib import Path

from .keys import KEY_SCHEME
from .loading import LoadResult, load_watchlist
from .models import Watchlist

SAMPLE_LIST = Path(__file__).resolve().parent / "data" / "sample_watchlist.ftm.jsonl"
SAMPLE_DATASET = "sample"


def ensure_sample_watchlist() -> LoadResult | None:
    """Loads the sample list when no watchlist is loaded at all, or again when the loaded
    sample was indexed under an older key scheme; None when nothing needed loading."""
    loaded = Watchlist.objects.filter(active_version__isnull=False)
    stale_sample = loaded.filter(name=SAMPLE_DATASET, active_version__key_scheme__lt=KEY_SCHEME)
    if loaded.exists() and not stale_sample.exists():
        return None
    return load_watchlist(SAMPLE_LIST, SAMPLE_DATASET)
