"""How a run ends on the console: an interrupted run says, briefly, what it did not do."""

from __future__ import annotations

from engine.executor import NotRun
from engine.runs import interrupted_line


def test_the_interrupted_line_groups_steps_left_on_as_many_hosts() -> None:
    hosts = ("R1", "R2", "R3")
    not_run = [
        NotRun("p", "Clock 2", ("R3",)),
        *(NotRun("p", f"Clock {i}", hosts) for i in (3, 4, 5)),
    ]
    assert interrupted_line(not_run) == (
        "interrupted: not run: 'Clock 2' on 1 host; 'Clock 3' … 'Clock 5' (3 steps) on 3 hosts"
    )


def test_the_interrupted_line_stays_short_for_many_groups() -> None:
    not_run = [NotRun("p", f"s{i}", ("R1",) * i) for i in range(1, 9)]
    line = interrupted_line(not_run)
    assert line.endswith("'s3' on 3 hosts; and 5 more steps")
