"""Shared test settings: hypothesis draws the same examples on every run unless asked otherwise.

* ``default`` (the README's test command and CI): derandomized, no example database, so two
  runs in two fresh clones draw identical examples and a failure reproduces exactly;
* ``thorough`` (``TBOUNDS_HYPOTHESIS_PROFILE=thorough``): random, 1000 examples a test, for
  exploring; a failure it finds becomes a regression case in the catalogue or an ``@example``.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile("default", max_examples=60, deadline=None, derandomize=True, database=None,
                          print_blob=True, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=1000, deadline=None, derandomize=False,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("TBOUNDS_HYPOTHESIS_PROFILE", "default"))
