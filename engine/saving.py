"""`save_to`: a step's outputs written to files under the output directory.

A path that renders the same for every host (`show-run.txt`) gets one combined file with
every host's block in inventory order; a path that differs per host
(`configs/{{ inventory_hostname }}.txt`) gets one file per host.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from engine.errors import FailureKind
from engine.files import FileWriteError, atomic_write
from engine.model import Step
from engine.outputs import OutputPathError, combine, host_block, resolve
from engine.results import Status, StepRecord, StepResult
from engine.secrets import Mask
from engine.templating import TemplateError, render


def save_outputs(
    step: Step,
    record: StepRecord,
    variables: Callable[[str], Mapping[str, Any]],
    out_dir: Path,
    mask: Mask,
) -> StepRecord:
    """Write the outputs; a host whose file cannot be written fails the step, nothing else."""
    assert step.save_to is not None
    targets: dict[str, Path] = {}
    failed: dict[str, str] = {}
    for result in record.results:
        if result.status is Status.SKIPPED or not result.outputs:
            continue
        try:
            targets[result.host] = resolve(out_dir, render(step.save_to, variables(result.host)))
        except (TemplateError, OutputPathError) as exc:
            failed[result.host] = f"save_to: {exc}"
    by_path: dict[Path, list[StepResult]] = {}
    for result in record.results:
        if result.host in targets:
            by_path.setdefault(targets[result.host], []).append(result)
    for path, results in by_path.items():
        blocks = [host_block(r.host, r.prompt, _headings(step, r), r.outputs) for r in results]
        try:
            atomic_write(path, mask(combine(blocks)))
        except FileWriteError as exc:
            failed.update((r.host, f"save_to: {exc}") for r in results)
    if not failed:
        return record
    updated = tuple(
        replace(r, status=Status.FAILED, error=failed[r.host], kind=FailureKind.SAVE_TO)
        if r.host in failed
        else r
        for r in record.results
    )
    return replace(record, results=updated)


def _headings(step: Step, result: StepResult) -> tuple[str, ...]:
    """What heads each output. A config step's outputs are whole sessions (one per loop
    item), headed as the device would show them, then the answer to `save` if it ran."""
    if not step.changes_config:
        return result.commands
    headings = ["configure terminal"] * len(result.outputs)
    if step.save and result.status is Status.OK and headings:
        headings[-1] = "write memory"
    return tuple(headings)
