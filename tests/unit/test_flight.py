"""A host's step under way: what a step cut short had sent, and the host's time budget."""

from __future__ import annotations

import time

import pytest

from engine.actions import Trace
from engine.drivers import Reply
from engine.errors import HostBudgetUsedUp, Location
from engine.flight import Flight
from engine.model import Step

HERE = Location("test.yml")
SHOW = Step("show", "send", ("show clock", "show version"), HERE)
CONFIG = Step("cfg", "config", ("interface Lo5", "description x"), HERE)


def test_a_step_that_sent_nothing_is_not_cut_short() -> None:
    flight = Flight("R1")
    assert flight.cut_short() is None
    flight.begin((0, 1), SHOW, None)
    flight.follow(Trace(SHOW.commands))
    assert not flight.sent() and flight.cut_short() is None


def test_a_send_step_cut_short_keeps_what_it_sent_and_the_answers_it_got() -> None:
    flight = Flight("R1")
    flight.begin((0, 1), SHOW, None)
    trace = flight.follow(Trace(SHOW.commands))
    trace.sent += ["show clock", "show version"]
    trace.replies.append(Reply("*10:00:00 UTC"))
    cut = flight.cut_short()
    assert cut is not None
    key, result = cut
    assert key == (0, 1) and (result.status.value, result.kind) == ("failed", "interrupted")
    assert result.commands == SHOW.commands and result.outputs == ("*10:00:00 UTC",)
    assert result.error == "interrupted before the step finished; last sent: 'show version'"


def test_a_config_step_cut_short_says_its_lines_may_have_been_applied() -> None:
    flight = Flight("R1")
    flight.begin((0, 0), CONFIG, None)
    trace = flight.follow(Trace(CONFIG.commands))
    trace.sent += CONFIG.commands
    cut = flight.cut_short()
    assert cut is not None and cut[1].commands == CONFIG.commands
    assert (cut[1].error or "").endswith("the configuration it sent may have been applied")


def test_the_host_budget_bounds_a_timeout_and_says_when_it_is_used_up() -> None:
    flight = Flight("R1")
    assert flight.bound(30.0) == 30.0 and not flight.outlasts(10**6)
    flight.begin((0, 0), SHOW, time.monotonic() + 5)
    bounded = flight.bound(30.0)
    assert bounded is not None and 0 < bounded <= 5
    assert flight.outlasts(10) and not flight.outlasts(0)
    flight.begin((0, 0), SHOW, time.monotonic() - 1)
    with pytest.raises(HostBudgetUsedUp, match=r"host budget \(--host-timeout\) used up"):
        flight.bound(30.0)
