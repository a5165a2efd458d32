import pytest

from kit.pagination import InvalidPageError, decode_token, encode_token, page_size


@pytest.mark.parametrize(("requested", "expected"), [(0, 50), (1, 1), (100, 100), (1000, 100)])
def test_page_size_follows_aip_158(requested: int, expected: int) -> None:
    assert page_size(requested) == expected


def test_a_negative_page_size_names_the_field() -> None:
    with pytest.raises(InvalidPageError) as err:
        page_size(-1)
    assert err.value.field == "page_size"


def test_a_token_round_trips_for_the_same_query() -> None:
    query = {"status": [1, 2], "q": "lid"}
    token = encode_token({"t": 123, "id": "abc"}, query)
    assert decode_token(token, dict(query)) == {"t": 123, "id": "abc"}
    assert decode_token("", query) is None


def test_a_token_from_another_query_is_refused() -> None:
    token = encode_token({"t": 1}, {"status": [1]})
    with pytest.raises(InvalidPageError, match="different query"):
        decode_token(token, {"status": [2]})


@pytest.mark.parametrize("garbage", ["%%%", "bm90IGpzb24", "e30"])
def test_a_token_we_did_not_issue_is_refused(garbage: str) -> None:
    with pytest.raises(InvalidPageError) as err:
        decode_token(garbage, {})
    assert err.value.field == "page_token"
