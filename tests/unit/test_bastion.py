"""A device session's socket through a bastion (engine.drivers.bastion.Tunnel)."""

from typing import Any, cast

import pytest

from engine.drivers.bastion import Tunnel


class _Channel:
    """A channel whose bastion connection has gone: sending its close message fails."""

    def __init__(self) -> None:
        self.received = b"banner"

    def recv(self, size: int) -> bytes:
        return self.received[:size]

    def close(self) -> None:
        raise EOFError


def test_closing_a_tunnel_whose_bastion_has_gone_does_not_raise() -> None:
    Tunnel(cast(Any, _Channel())).close()


def test_everything_but_close_is_the_channels_own() -> None:
    tunnel = Tunnel(cast(Any, _Channel()))
    assert tunnel.recv(3) == b"ban"
    with pytest.raises(AttributeError):
        tunnel.settimeout  # noqa: B018  # a name the channel lacks is not made up
