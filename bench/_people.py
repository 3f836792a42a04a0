"""Shared set-up for the bench scripts (not a bench itself: `make bench` skips `_` files)."""

from __future__ import annotations

import random
from typing import Any


def participants(organisation: Any, n: int, rng: random.Random) -> list[Any]:
    """`n` users who are participants of `organisation`, created in bulk."""
    from openmentor.accounts.models import User
    from openmentor.organisations.models import Membership, Role

    users = User.objects.bulk_create(
        [
            User(
                email=f"p{i}@{organisation.slug}.example",
                first_name=rng.choice(["Ana", "Ben", "Chen", "Dara", "Eli", "Femi"]),
                last_name=f"Person{i:05d}",
                password="!",
            )
            for i in range(n)
        ],
        batch_size=2000,
    )
    Membership.objects.bulk_create(
        [Membership(organisation=organisation, user=u, role=Role.PARTICIPANT) for u in users],
        batch_size=2000,
    )
    return users


def django_on_a_scratch_database(**environment: str) -> str:
    """Sets Django up on a throwaway SQLite database (or DATABASE_URL when set) with the
    given extra environment; returns the scratch folder."""
    import os
    import tempfile

    workdir = tempfile.mkdtemp(prefix="om-bench-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
    os.environ["OPENMENTOR_VAR_DIR"] = workdir
    os.environ.setdefault("DEBUG", "1")
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.update(environment)
    os.environ["DJANGO_SETTINGS_MODULE"] = "openmentor.config.settings.base"
    import django

    django.setup()
    return workdir
