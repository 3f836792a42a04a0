"""``python -m openmentor.matching``: the engine's JSON command line (no Django import)."""

from openmentor.matching.engine.cli import main

raise SystemExit(main())
