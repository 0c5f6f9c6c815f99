"""Feedback tests load configs that sign tokens: they need the secret key in the environment."""

from __future__ import annotations

import pytest

from tests.web.conftest import SECRET


@pytest.fixture(autouse=True)
def _secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSLETTER_SECRET_KEY", SECRET)
