"""Every reference case of every family: printed values, hand checks, inversions, inputs that must raise."""

import pytest
from hypothesis import given, strategies as st

from tbounds.bounds.catalogue import all_brackets, all_cases, all_raises, all_solve_cases


def _id(case):
    return f"{case.bound_id}{getattr(case, 'params', '') or getattr(case, 'given', '')}"


@pytest.mark.parametrize("case", all_cases(), ids=_id)
def test_reference_value(case):
    case.check()


@pytest.mark.parametrize("case", all_solve_cases(), ids=lambda c: f"{c.bound_id}:{c.unknown}={c.expected}")
def test_reference_inversion(case):
    case.check()


@pytest.mark.parametrize("case", all_raises(), ids=lambda c: f"{c.bound_id}:{c.match}")
def test_must_raise_one_line(case):
    with pytest.raises(case.error) as info:
        case.trigger()
    message = str(info.value)
    assert case.match in message
    assert "\n" not in message


@pytest.mark.parametrize("bracket", all_brackets(), ids=lambda b: f"{b.lower_id}<={b.upper_id}")
@given(scale=st.floats(0, 6), n_scale=st.floats(0, 4))
def test_lower_bound_below_upper_bound(bracket, scale, n_scale):
    """Moving N and n over six and four decades keeps the necessary size below the sufficient one."""
    params = dict(bracket.params)
    if "N" in params:
        params["N"] = max(2, round(params["N"] * 10 ** (scale - 2)))
    if "n" in params:
        params["n"] = max(1, round(params["n"] * 10 ** (n_scale - 1)))
    bracket.check(**params)
