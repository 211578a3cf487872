"""The suite's figure cache is its own (never the user's ~/.cache/lrplot), fresh for each session."""

import pytest


@pytest.fixture(autouse=True, scope="session")
def _figure_cache(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("LRPLOT_CACHE_DIR", str(tmp_path_factory.mktemp("lrplot-cache")))
    yield
    mp.undo()
