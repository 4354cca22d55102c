"""`netplay lab serve` for the benchmark, with one addition: SIGUSR1 restarts the delay draws.

Each simulated device draws its jittered delays from a generator seeded by its name, in
order, for the life of the lab. Restarting every generator before each tool run gives every
tool exactly the same delays, and lets `benchmarks.bound` replay them exactly. After each
restart the server prints `reseeded N`, so the harness knows it took effect.

    python -m benchmarks.labserver INVENTORY PORT
"""

from __future__ import annotations

import signal
import sys
from types import FrameType
from typing import Any


def reseeder(lab: Any) -> Any:
    """A SIGUSR1 handler restarting every device's delays, or None if the lab hides them."""
    from engine.lab.knobs import Delays

    devices = getattr(lab, "_devices", None)  # no public accessor yet
    if not devices:
        return None

    def handler(signum: int, frame: FrameType | None) -> None:
        for device in devices:
            device.delays = Delays(device.spec.name, device.spec.knobs)
        print(f"reseeded {len(devices)}", flush=True)

    return handler


def main(argv: list[str]) -> int:
    from engine.commands import lab_specs, load_inventory_arg, select
    from engine.lab import Lab, serve_forever

    inventory, port = argv[0], int(argv[1])
    lab = Lab(lab_specs(select(load_inventory_arg(inventory), None)), port=port)
    handler = reseeder(lab)
    if handler is not None:
        signal.signal(signal.SIGUSR1, handler)
    print("reseed: ready" if handler else "reseed: unsupported", flush=True)
    serve_forever(lab, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
