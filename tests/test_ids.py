"""The one id rule (common.ids): ASCII digits, no sign, spaces, separators or
leading zeros, 1 to 2³¹−1."""

import pytest
from django.http import Http404

from common.ids import ID_MAX, IdConverter, id_or_404, id_parse

NOT_IDS = ["", "0", "01", "007", " 1", "1 ", "+1", "-1", "1_0", "1.0", "1e3", "١", "²", "１", "0x1", "2147483648", "99999999999"]


@pytest.mark.parametrize("text", ["1", "42", "2147483647"])
def test_digits_in_range_are_ids(text):
    assert id_parse(text) == int(text)


@pytest.mark.parametrize("text", NOT_IDS)
def test_anything_else_is_not_an_id(text):
    assert id_parse(text) is None
    with pytest.raises(Http404):
        id_or_404(text)


@pytest.mark.parametrize("value", [0, -1, ID_MAX + 1, True, False, None, 1.0, [1]])
def test_values_that_are_not_ids(value):
    assert id_parse(value) is None


def test_integers_in_range_pass_through():
    assert (id_parse(1), id_parse(ID_MAX)) == (1, ID_MAX)


@pytest.mark.parametrize("text", NOT_IDS[1:])
def test_converter_refuses_what_the_rule_refuses(text):
    with pytest.raises(ValueError):
        IdConverter().to_python(text)


def test_converter_round_trips_an_id():
    converter = IdConverter()
    assert converter.to_url(converter.to_python("31")) == "31"
