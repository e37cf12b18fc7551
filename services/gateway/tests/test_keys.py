"""Per-hop Idempotency-Keys: stable, distinct per step, always within what the services accept."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from gateway.keys import MAX_KEY_LENGTH, hop_key

printable = st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=200)
steps = st.sampled_from(["claim-draft", "claim-submit", "batch", "issue", "redeem", "status-suspend"])


def test_no_client_key_means_no_hop_key() -> None:
    assert hop_key(None, "claim-draft") is None


def test_short_key_is_readable() -> None:
    assert hop_key("abc", "claim-draft") == "abc:claim-draft"


@given(key=printable, step=steps)
def test_hop_key_is_stable_and_bounded(key: str, step: str) -> None:
    derived = hop_key(key, step)
    assert derived is not None
    assert derived == hop_key(key, step)
    assert len(derived) <= MAX_KEY_LENGTH
    assert derived.endswith(f":{step}")


@given(key=printable, a=steps, b=steps)
def test_steps_never_share_a_key(key: str, a: str, b: str) -> None:
    assert (hop_key(key, a) == hop_key(key, b)) is (a == b)


@given(a=printable, b=printable, step=steps)
def test_different_client_keys_never_collide(a: str, b: str, step: str) -> None:
    assert (hop_key(a, step) == hop_key(b, step)) is (a == b)
