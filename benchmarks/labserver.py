"""`netplay lab serve` for the benchmark, with one addition: SIGUSR1 restarts the delay draws.

It serves the inventory the harness generated through the lab's public API only (so it
keeps working while the rest of the engine changes).

Each simulated device draws its jittered delays from a generator seeded by its name, in
order, for the life of the lab. Restarting every generator before each tool run gives every
tool exactly the same delays, and lets `benchmarks.bound` replay them exactly. After each
restart the server prints `reseeded N`, so the harness knows it took effect.

    python -m benchmarks.labserver INVENTORY PORT
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from types import FrameType
from typing import Any

import yaml


def reseeder(lab: Any) -> Any:
    """A SIGUSR1 handler restarting every device's delays."""

    def handler(signum: int, frame: FrameType | None) -> None:
        lab.restart_delays()
        print(f"reseeded {len(lab.endpoints)}", flush=True)

    return handler


def specs(inventory: Path) -> list[Any]:
    """The devices of the inventory `benchmarks.lab` wrote (defaults + hosts, nothing else)."""
    from engine.lab import DeviceSpec, LabKnobs

    data = yaml.safe_load(inventory.read_text(encoding="utf-8"))
    common = data["defaults"]
    knobs = LabKnobs.from_mapping(common.get("lab", {}))
    return [
        DeviceSpec(
            name,
            common["username"],
            common["password"],
            common.get("secret"),
            address=host.get("host"),
            knobs=knobs,
        )
        for name, host in data["hosts"].items()
    ]


def main(argv: list[str]) -> int:
    from engine.lab import Lab, serve_forever

    inventory, port = Path(argv[0]), int(argv[1])
    lab = Lab(specs(inventory), port=port)
    handler = reseeder(lab)
    if handler is not None:
        signal.signal(signal.SIGUSR1, handler)
    print("reseed: ready" if handler else "reseed: unsupported", flush=True)
    serve_forever(lab, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
