"""Vault files: Fernet-encrypted vars files and their keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.errors import InputError, UsageError
from engine.vault import (
    HEADER,
    KEY_VARIABLE,
    decrypt_file,
    decrypt_text,
    encrypt_file,
    encrypt_text,
    generate_key,
    is_vault,
    load_key,
    load_vars,
    load_vars_text,
    write_key_file,
)

PLAIN = "db_password: Sesame-Otter-3141\nsite: lab\n"


@pytest.fixture(scope="module")
def key() -> bytes:
    return generate_key()


def test_a_vault_round_trips_and_hides_its_text(key: bytes) -> None:
    vault = encrypt_text(PLAIN, key)
    assert is_vault(vault) and vault.startswith(HEADER + "\n")
    assert "Sesame" not in vault and "site" not in vault
    assert all(len(row) <= 76 for row in vault.splitlines())
    assert decrypt_text(vault, key) == PLAIN


def test_a_wrong_key_says_so_and_names_the_file(key: bytes) -> None:
    vault = encrypt_text(PLAIN, key)
    with pytest.raises(InputError) as caught:
        decrypt_text(vault, generate_key(), file="secrets.vault.yml")
    assert "cannot decrypt secrets.vault.yml: wrong vault key or corrupted file" in str(
        caught.value
    )
    assert caught.value.exit_code == 4


def test_a_corrupted_vault_is_reported_like_a_wrong_key(key: bytes) -> None:
    vault = encrypt_text(PLAIN, key)
    flipped = vault[:40] + ("A" if vault[40] != "A" else "B") + vault[41:]
    for damaged in (flipped, vault[: len(vault) // 2], HEADER + "\n", HEADER + "\n%%%\n"):
        with pytest.raises(InputError, match="wrong vault key or corrupted file"):
            decrypt_text(damaged, key, file="v.yml")


def test_text_without_the_header_is_not_a_vault(key: bytes) -> None:
    assert not is_vault(PLAIN)
    assert is_vault("\ufeff" + encrypt_text(PLAIN, key))
    with pytest.raises(InputError, match="not a netplay vault file"):
        decrypt_text(PLAIN, key)


def test_the_key_comes_from_the_environment_or_a_key_file(tmp_path: Path, key: bytes) -> None:
    assert load_key(environ={KEY_VARIABLE: key.decode()}) == key
    key_file = tmp_path / "vault.key"
    key_file.write_bytes(key + b"\n")
    key_file.chmod(0o600)
    assert load_key(key_file, environ={KEY_VARIABLE: generate_key().decode()}) == key


def test_a_missing_or_malformed_key_is_a_usage_error_that_never_shows_it(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=f"no vault key: set {KEY_VARIABLE}"):
        load_key(environ={})
    with pytest.raises(UsageError) as caught:
        load_key(environ={KEY_VARIABLE: "Not-A-Key-Hunter2"})
    assert "not a valid key" in str(caught.value) and "Hunter2" not in str(caught.value)
    with pytest.raises(UsageError, match="cannot read vault key file"):
        load_key(tmp_path / "absent.key")


def test_load_vars_text_decrypts_a_vault_and_passes_plain_files_through(
    tmp_path: Path, key: bytes
) -> None:
    plain, vault = tmp_path / "vars.yml", tmp_path / "secrets.vault.yml"
    plain.write_text(PLAIN)
    vault.write_text(encrypt_text(PLAIN, key))
    environ = {KEY_VARIABLE: key.decode()}
    assert load_vars_text(plain, environ={}) == PLAIN  # no key needed for a plain file
    assert load_vars_text(vault, environ=environ) == PLAIN
    assert load_vars_text(vault, key=key, environ={}) == PLAIN
    with pytest.raises(UsageError, match="no vault key"):
        load_vars_text(vault, environ={})


def test_load_vars_parses_a_vault_or_a_plain_file_with_locations(
    tmp_path: Path, key: bytes
) -> None:
    plain, vault = tmp_path / "vars.yml", tmp_path / "secrets.vault.yml"
    plain.write_text(PLAIN)
    vault.write_text(encrypt_text(PLAIN, key))
    environ = {KEY_VARIABLE: key.decode()}
    assert load_vars(plain, environ={}).data == load_vars(vault, environ=environ).data
    assert load_vars(vault, environ=environ).data["site"] == "lab"
    broken = tmp_path / "broken.yml"
    broken.write_bytes(b"site: lab\nname: caf\xe9\n")
    with pytest.raises(InputError) as caught:
        load_vars(broken, environ={})
    assert caught.value.problems[0].location.line == 2  # plain files keep their locations


def test_load_vars_text_reports_unreadable_files_as_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        load_vars_text(tmp_path / "absent.yml")
    binary = tmp_path / "junk.yml"
    binary.write_bytes(b"\xff\xfe\x00junk")
    with pytest.raises(InputError, match="not UTF-8"):
        load_vars_text(binary)


def test_files_are_encrypted_and_decrypted_in_place_and_kept_private(
    tmp_path: Path, key: bytes
) -> None:
    path = tmp_path / "secrets.yml"
    path.write_text(PLAIN)
    encrypt_file(path, key)
    assert is_vault(path.read_text()) and path.stat().st_mode & 0o777 == 0o600
    with pytest.raises(InputError, match="already a vault"):
        encrypt_file(path, key)
    decrypt_file(path, key)
    assert path.read_text() == PLAIN
    assert [p.name for p in tmp_path.iterdir()] == ["secrets.yml"]  # no temporary left


def test_a_failed_decryption_leaves_the_file_as_it_was(tmp_path: Path, key: bytes) -> None:
    path = tmp_path / "secrets.yml"
    path.write_text(encrypt_text(PLAIN, key))
    before = path.read_text()
    with pytest.raises(InputError):
        decrypt_file(path, generate_key())
    assert path.read_text() == before


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o666, 0o604, 0o620])
def test_a_key_file_other_users_can_read_or_change_is_refused(
    tmp_path: Path, key: bytes, mode: int
) -> None:
    key_file = tmp_path / "vault.key"
    key_file.write_bytes(key)
    key_file.chmod(mode)
    with pytest.raises(UsageError) as caught:
        load_key(key_file)
    message = str(caught.value)
    assert f"vault key file {key_file} can be read by other users (mode 0{mode:o})" in message
    assert f"chmod 600 {key_file}" in message and key.decode() not in message
    assert caught.value.exit_code == 5


def test_a_new_key_file_is_private_and_never_overwrites(tmp_path: Path) -> None:
    key_file = tmp_path / "vault.key"
    write_key_file(key_file)
    assert key_file.stat().st_mode & 0o777 == 0o600
    first = load_key(key_file)
    with pytest.raises(UsageError, match="already exists"):
        write_key_file(key_file)
    assert load_key(key_file) == first


def test_decrypt_never_writes_through_a_planted_temporary_link(tmp_path: Path, key: bytes) -> None:
    path, victim = tmp_path / "secrets.yml", tmp_path / "victim.txt"
    path.write_text(encrypt_text(PLAIN, key))
    victim.write_text("untouched\n")
    (tmp_path / ".secrets.yml.netplay-tmp").symlink_to(victim)
    decrypt_file(path, key)
    assert path.read_text() == PLAIN and not path.is_symlink()
    assert victim.read_text() == "untouched\n"


def test_a_syntax_error_in_a_decrypted_vault_never_shows_its_lines(
    tmp_path: Path, key: bytes
) -> None:
    vault = tmp_path / "secrets.vault.yml"
    vault.write_text(encrypt_text("db_password: [Sesame-Otter-3141\n", key))
    with pytest.raises(InputError) as caught:
        load_vars(vault, key=key)
    assert "secrets.vault.yml" in caught.value.render()
    assert "Sesame" not in caught.value.render()
