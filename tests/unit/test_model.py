"""The playbook model: what each step inherits from its play and its include."""

from __future__ import annotations

from pathlib import Path

from engine.model import Rollout, load_playbook

PLAYBOOK = """\
name: Users
hosts: all
no_log: true
steps:
  - {send: show users}
  - {send: show clock, no_log: false}
  - include: included.yml
  - include: included.yml
    no_log: false
"""
INCLUDED = """\
- {send: show a}
- {send: show b, no_log: true}
"""


def test_no_log_comes_from_the_step_else_its_include_else_its_play(tmp_path: Path) -> None:
    (tmp_path / "included.yml").write_text(INCLUDED)
    (tmp_path / "play.yml").write_text(PLAYBOOK)
    [play] = load_playbook(tmp_path / "play.yml").plays
    assert play.no_log is True
    assert [(s.name, s.no_log) for s in play.steps] == [
        ("show users", True),
        ("show clock", False),
        ("show a", True),
        ("show b", True),
        ("show a", False),
        ("show b", True),
    ]
    (tmp_path / "play.yml").write_text(PLAYBOOK.replace("no_log: true\nsteps", "steps"))
    [play] = load_playbook(tmp_path / "play.yml").plays
    assert [s.no_log for s in play.steps] == [False, False, False, True, False, True]


ROLLING = """\
- name: One size
  hosts: all
  serial: "25%"
  steps: [{config: ntp server 192.0.2.1, rollback_on_failure: true}, {send: show ntp}]
- name: Sizes
  hosts: all
  serial: [1, 5, "50%"]
  max_fail_percentage: 12.5
  any_errors_fatal: true
  steps: [{send: show clock}]
"""


def test_a_plays_rollout_and_a_steps_rollback_are_read_into_the_model(tmp_path: Path) -> None:
    (tmp_path / "play.yml").write_text(ROLLING)
    one, sizes = load_playbook(tmp_path / "play.yml").plays
    assert one.rollout == Rollout(serial=("25%",))
    assert [s.rollback_on_failure for s in one.steps] == [True, False]
    assert sizes.rollout == Rollout(
        serial=(1, 5, "50%"), max_fail_percentage=12.5, any_errors_fatal=True
    )
