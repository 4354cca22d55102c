"""Secrets: the naming rule, where values are found, and the one mask every writer uses."""

from __future__ import annotations

import pytest

from engine.secrets import (
    MARK,
    Mask,
    is_secret_name,
    leaf_values,
    masked_excerpt,
    secret_values,
)


@pytest.mark.parametrize(
    "name",
    [
        "password",
        "enable_secret",
        "API_TOKEN",
        "ssh_key",
        "snmpKey",
        "db_Password2",
        "tacacs_psk",
        "wifi_passphrase",
        "ldap_passwd",
        "credentials",
    ],
)
def test_names_that_hold_secrets(name: str) -> None:
    assert is_secret_name(name)


@pytest.mark.parametrize("name", ["username", "site", "uplink", "ntp_server", "host", "users"])
def test_names_that_do_not_hold_secrets(name: str) -> None:
    assert not is_secret_name(name)


def test_secret_values_are_found_at_any_depth_of_mappings_and_lists() -> None:
    data = {
        "site": "lab",
        "password": "p1",
        "radius": {"shared_secret": "s1", "servers": ["10.0.0.1"], "port": 1812},
        "users": [{"name": "bob", "password": "bob-pw"}, {"name": "eve", "password": 31337}],
        "api_token": "",
        "key_id": 7,
        "ntp": ["a", "b"],
    }
    assert sorted(secret_values(data)) == ["31337", "7", "bob-pw", "p1", "s1"]


def test_everything_under_a_secret_name_counts_lists_and_mappings_included() -> None:
    data = {"ssh_keys": ["k-one", {"comment": "k-two"}], "enable": {"secret": {"a": "k-three"}}}
    assert sorted(secret_values(data)) == ["k-one", "k-three", "k-two"]


def test_leaf_values_are_every_scalar_as_text_but_booleans_and_nulls() -> None:
    data = {"tacacs_psk": "Tac-1", "vlan": 10, "nested": [{"x": 1.5}], "on": True, "none": None}
    assert sorted(leaf_values(data)) == ["1.5", "10", "Tac-1"]


def test_the_mask_replaces_the_longest_secret_first() -> None:
    mask = Mask(frozenset({"s3cret-pw", "s3cret", "abc"}))
    assert mask("pw s3cret-pw and s3cret, abc") == f"pw {MARK} and {MARK}, abc"


def test_values_shorter_than_four_characters_are_left_alone() -> None:
    mask = Mask.of(["abc", "abcd", None, ""])
    assert mask.values == {"abcd"}
    assert mask("abc abcd") == f"abc {MARK}"


def test_a_mask_never_shows_its_values_in_its_repr() -> None:
    assert "Hunter-22" not in repr(Mask.of(["Hunter-22"]))


def test_a_replacement_is_never_searched_again() -> None:
    # "****" is a secret here: a pass per secret would mask inside the first mark.
    mask = Mask.of(["pass-1234", "****"])
    assert mask("pass-1234") == MARK


def test_mask_data_masks_every_string_of_a_json_like_structure() -> None:
    mask = Mask.of(["Tok-Yak-5150"])
    data = {"a": ["x Tok-Yak-5150", 3, None], "Tok-Yak-5150": {"b": ("Tok-Yak-5150",)}}
    assert mask.data(data) == {"a": [f"x {MARK}", 3, None], MARK: {"b": [MARK]}}


def test_including_adds_values_and_keeps_the_rule() -> None:
    mask = Mask.of(["first-secret"]).including("second-secret", None, "ab")
    assert mask.values == {"first-secret", "second-secret"}
    assert mask.ordered == ("second-secret", "first-secret")


@pytest.mark.parametrize(
    "line, shown",
    [
        (
            "  R1: {host: 10.0.0.1, password: Pw-123, prot: 22}",
            "  R1: {host: 10.0.0.1, password: ********, prot: 22}",
        ),
        ("  password: Pw 123, and more  # comment", "  password: ********  # comment"),
        ('  enable_secret: "Pw, \\" 123"', "  enable_secret: ********"),
        ("  - {name: bob, 'api_token': 'it''s'}", "  - {name: bob, 'api_token': ********}"),
        ("  ssh_keys: [k1, {a: k2}], other: x", "  ssh_keys: ********, other: x"),
        ("  password:", "  password:"),
        ("  psk: |", "  psk: |"),
        ("  description: key features", "  description: key features"),
    ],
)
def test_an_excerpt_shows_values_under_secret_names_masked(line: str, shown: str) -> None:
    assert masked_excerpt(line, None) == (shown, None)


def test_an_excerpt_keeps_the_caret_under_the_same_text() -> None:
    line = "  R1: {host: 10.0.0.1, password: Pw-123, prot: 22}"
    shown, column = masked_excerpt(line, line.index("prot") + 1)
    assert column is not None and shown[column - 1 :].startswith("prot: 22}")
    shown, column = masked_excerpt(line, line.index("Pw-123") + 1)  # the secret itself
    assert column is not None and shown[column - 1 :].startswith("********")


def test_an_excerpt_of_a_secret_value_alone_on_its_line_is_masked_when_said_so() -> None:
    assert masked_excerpt("    - Pw-123", 7, secret=True) == ("    - ********", 7)
    assert masked_excerpt("    - Pw-123", 7) == ("    - Pw-123", 7)
