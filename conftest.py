"""Pytest set-up shared by the unit tests and the nbval notebook runs.

Every test session runs the notebooks in the smoke profile and writes run records, figures and
caches to a temporary folder, so `make test` never touches the committed results or figures.
"""

import os
import shutil
import tempfile

_scratch = tempfile.mkdtemp(prefix="brainlib-test-")
os.environ["BRAINLIB_PROFILE"] = "smoke"
os.environ["BRAINLIB_RESULTS"] = os.path.join(_scratch, "results")
os.environ["BRAINLIB_FIGURES"] = os.path.join(_scratch, "figures")
os.environ["BRAINLIB_CACHE"] = os.path.join(_scratch, "cache")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")


def pytest_unconfigure(config):
    shutil.rmtree(_scratch, ignore_errors=True)
