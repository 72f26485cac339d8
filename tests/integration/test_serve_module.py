"""The module uvicorn imports in each serving process (`cad110.serve:app`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROBE = "import gc, cad110.serve; print(gc.get_freeze_count(), cad110.serve.app.title)"


def test_a_serving_process_keeps_its_startup_objects_out_of_full_collections(
    tmp_path: Path,
) -> None:
    env = {
        **os.environ,
        "CAD110_DATABASE_URL": f"sqlite:///{tmp_path / 'cad110.db'}",
        "CAD110_AUDIT_KEY_FILE": str(tmp_path / "audit.keys"),
        "CAD110_AUDIT_CHECKPOINT_PATH": str(tmp_path / "checkpoints.jsonl"),
    }
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", PROBE],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    frozen, title = done.stdout.split()
    assert title == "cad110"
    # The application and all it loaded: hundreds of thousands of objects, not a handful.
    assert int(frozen) > 100_000
