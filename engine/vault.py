"""Secrets at rest: encrypted vars files and their keys.

A vault file is a vars file encrypted with `cryptography`'s Fernet (AES-128-CBC with an
HMAC-SHA256, a standard recipe; netplay invents no cryptography). It is plain text, so it
diffs and mails cleanly, and recognisable by its first line:

    $NETPLAY_VAULT;1;fernet
    gAAAAABm... (the Fernet token, wrapped at 76 columns)

The key is 32 url-safe base64 bytes (`generate_key`), read from the environment variable
`NETPLAY_VAULT_KEY` or from a key file, which must be private to its owner (`chmod 600`);
it is never printed. Every value of a vault file is a secret, whatever its name: the run
masks them all (`engine.secrets`).
"""

from __future__ import annotations

import os
import stat
import textwrap
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from engine.errors import InputError, UsageError
from engine.files import atomic_write, write_new
from engine.source import Document, load_yaml, parse_yaml

HEADER = "$NETPLAY_VAULT;1;fernet"
if TYPE_CHECKING:  # cryptography loads only when a vault is used: start-up stays fast
    from cryptography.fernet import Fernet

KEY_VARIABLE = "NETPLAY_VAULT_KEY"
_WIDTH = 76
_KEY_HINT = "make one with `netplay vault keygen --out FILE`"


def generate_key() -> bytes:
    """A new random vault key (32 url-safe base64 bytes, as text)."""
    from cryptography.fernet import Fernet

    return Fernet.generate_key()


def write_key_file(path: str | os.PathLike[str]) -> None:
    """A new key in a new file, private from the start (0600); an existing file is kept."""
    write_new(path, generate_key() + b"\n")


def is_vault(text: str) -> bool:
    """True when `text` is a netplay vault file (its first line is the header)."""
    return text.lstrip("\ufeff").startswith(HEADER)


def encrypt_text(text: str, key: bytes) -> str:
    """`text` encrypted under `key`, as a vault file's content."""
    token = _fernet(key).encrypt(text.encode("utf-8")).decode("ascii")
    return "\n".join([HEADER, *textwrap.wrap(token, _WIDTH)]) + "\n"


def decrypt_text(text: str, key: bytes, *, file: str = "<vault>") -> str:
    """The plain text of a vault file's content; InputError for a wrong key or damage."""
    if not is_vault(text):
        raise InputError.at(file, "not a netplay vault file", line=1, column=1, hint=HEADER)
    from cryptography.fernet import InvalidToken

    token = "".join(text.lstrip("\ufeff").splitlines()[1:]).replace(" ", "")
    try:
        plain = _fernet(key).decrypt(token.encode("ascii"))
        return plain.decode("utf-8")
    except (InvalidToken, UnicodeError):
        message = f"cannot decrypt {file}: wrong vault key or corrupted file"
        raise InputError.at(
            file, message, line=1, hint=f"the key comes from ${KEY_VARIABLE}"
        ) from None


def load_key(
    key_file: str | os.PathLike[str] | None = None,
    *,
    environ: Mapping[str, str] = os.environ,
) -> bytes:
    """The vault key: from `key_file` when given, else from $NETPLAY_VAULT_KEY."""
    if key_file is not None:
        return _checked(_read_key_file(Path(key_file)), f"key file {key_file}")
    value = environ.get(KEY_VARIABLE, "").strip()
    if not value:
        raise UsageError(f"no vault key: set {KEY_VARIABLE} or give a key file ({_KEY_HINT})")
    return _checked(value.encode("ascii", "replace"), f"${KEY_VARIABLE}")


def _read_key_file(path: Path) -> bytes:
    """The key file's content; refused when other users may read or change it."""
    try:
        with path.open("rb") as handle:
            mode = os.fstat(handle.fileno()).st_mode
            data = handle.read()
    except OSError as exc:
        raise UsageError(f"cannot read vault key file {path}: {exc.strerror or exc}") from None
    if mode & 0o077:
        raise UsageError(
            f"vault key file {path} can be read by other users (mode "
            f"{stat.S_IMODE(mode):04o}); make it private: chmod 600 {path}"
        )
    return data.strip()


def _checked(key: bytes, origin: str) -> bytes:
    """`key` if Fernet accepts it; a UsageError naming where it came from (never its value)."""
    from cryptography.fernet import Fernet

    try:
        Fernet(key)
    except ValueError:
        raise UsageError(
            f"the vault key in {origin} is not a valid key "
            f"(32 url-safe base64-encoded bytes; {_KEY_HINT})"
        ) from None
    return key


def _fernet(key: bytes) -> Fernet:
    from cryptography.fernet import Fernet

    return Fernet(_checked(key, "the given key"))


def load_vars_text(
    path: str | os.PathLike[str],
    *,
    key: bytes | None = None,
    environ: Mapping[str, str] = os.environ,
) -> str:
    """A vars file's YAML text, decrypted when it is a vault (`-e @secrets.vault.yml`).

    The key is asked for only when the file is a vault: `key`, else $NETPLAY_VAULT_KEY.
    """
    name = os.fspath(path)
    text = _read_text(Path(path), name)
    if not is_vault(text):
        return text
    return decrypt_text(text, key if key is not None else load_key(environ=environ), file=name)


def load_vars(
    path: str | os.PathLike[str],
    *,
    key: bytes | None = None,
    environ: Mapping[str, str] = os.environ,
) -> Document:
    """A vars file parsed with line numbers (`engine.source`), decrypted first if a vault.

    A plain file goes through `load_yaml` unchanged, so its errors keep their locations.
    """
    if not _starts_as_vault(Path(path)):
        return load_yaml(path)
    return _parse_decrypted(load_vars_text(path, key=key, environ=environ), os.fspath(path))


def is_vault_file(path: str | os.PathLike[str]) -> bool:
    """True when the file at `path` is a vault (its first bytes are the header)."""
    return _starts_as_vault(Path(path))


def _parse_decrypted(text: str, name: str) -> Document:
    """Parse decrypted YAML; an error names the line but never shows it (it may hold a
    secret)."""
    try:
        return parse_yaml(text, name)
    except InputError as exc:
        raise InputError([replace(p, source_line=None) for p in exc.problems]) from None


def _starts_as_vault(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            head = handle.read(len(HEADER) + 3)
    except OSError:
        return False  # load_yaml reports it, with its own words
    return head.removeprefix(b"\xef\xbb\xbf").startswith(HEADER.encode())


def _read_text(path: Path, name: str) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise InputError.at(name, "file not found") from None
    except UnicodeDecodeError:
        raise InputError.at(name, "file is not UTF-8 text (nor a vault file)") from None
    except OSError as exc:
        raise InputError.at(name, f"cannot read the file: {exc.strerror or exc}") from None


def encrypt_file(path: str | os.PathLike[str], key: bytes) -> None:
    """Encrypt a vars file in place (`netplay vault encrypt FILE`)."""
    name = os.fspath(path)
    text = _read_text(Path(path), name)
    if is_vault(text):
        raise InputError.at(name, "the file is already a vault", line=1, column=1)
    atomic_write(path, encrypt_text(text, key))


def decrypt_file(path: str | os.PathLike[str], key: bytes) -> None:
    """Decrypt a vault file in place (`netplay vault decrypt FILE`)."""
    name = os.fspath(path)
    atomic_write(path, decrypt_text(_read_text(Path(path), name), key, file=name))
