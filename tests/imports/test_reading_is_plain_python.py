"""The table reader of imports is plain Python: it reads bytes without Django loaded."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_reading_a_table_never_imports_django() -> None:
    code = (
        "import sys\n"
        "from openmentor.programmes.imports.reading import mapping_guess, table_summary\n"
        "summary = table_summary(b'email,role\\na@example.org,mentor\\n')\n"
        "assert summary.total_rows == 1, summary\n"
        "assert mapping_guess(summary.header) == {'email': 0, 'role': 1}\n"
        "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "assert not bad, bad\n"
        "print('ok')\n"
    )
    r = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ok"
