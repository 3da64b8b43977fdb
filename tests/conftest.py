"""Shared test settings: one hypothesis profile, no deadlines (CI machines are shared and slow)."""

import os

from hypothesis import HealthCheck, settings

settings.register_profile("default", max_examples=60, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=1000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("TBOUNDS_HYPOTHESIS_PROFILE", "default"))
