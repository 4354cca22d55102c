"""A render's budget: its own on each thread, fresh for every render, with a deadline."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from engine import budget
from engine.templating import TemplateError, render

DOUBLING = (
    "{% set ns = namespace(s='x') %}{% for i in range(40) %}"
    "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s | length }}"
)


def test_a_render_that_runs_out_of_time_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(budget, "RENDER_SECONDS", 0.01)
    with pytest.raises(TemplateError, match=r"template ran for more than 0.01 seconds"):
        render("{% for i in range(1000) %}{% for j in range(900) %}{% endfor %}{% endfor %}", {})


def test_the_budget_is_per_render_so_two_large_renders_in_a_row_both_pass() -> None:
    template = "{% for i in range(1000) %}{% for j in range(600) %}{% endfor %}{% endfor %}done"
    assert render(template, {}) == "done"
    assert render(template, {}) == "done"


def test_limits_hold_on_worker_threads_and_each_thread_has_its_own_budget() -> None:
    doubling, message = (DOUBLING, "would be 1,048,576 long")
    fine = "{% for i in range(1000) %}{% for j in range(600) %}{% endfor %}{% endfor %}ok"

    def one(template: str) -> str:
        try:
            return render(template, {})
        except TemplateError as exc:
            return str(exc)

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(one, [doubling, fine, fine, doubling]))
    assert message in results[0] and message in results[3]
    assert results[1:3] == ["ok", "ok"]
