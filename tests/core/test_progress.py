from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from openmentor.core import progress

ROOT = Path(__file__).resolve().parents[2]


@override_settings(REDIS_URL="")
def test_progress_written_in_one_process_is_read_in_another(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "VAR_DIR", tmp_path)
    progress.progress_set("import:7", 1500)
    reader = subprocess.run(
        [
            sys.executable,
            "-c",
            "from pathlib import Path; import sys; print(Path(sys.argv[1]).read_text())",
            str(tmp_path / "progress" / "import_7"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=os.environ,
        timeout=60,
        check=True,
    )
    assert reader.stdout.strip() == "1500"
    assert progress.progress_get("import:7") == 1500
    progress.progress_clear("import:7")
    assert progress.progress_get("import:7") == 0


@override_settings(REDIS_URL="")
def test_a_missing_or_garbled_file_reads_as_zero(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "VAR_DIR", tmp_path)
    assert progress.progress_get("nothing") == 0
    (tmp_path / "progress").mkdir()
    (tmp_path / "progress" / "bad").write_text("x")
    assert progress.progress_get("bad") == 0
    progress.progress_clear("never-written")  # no error
