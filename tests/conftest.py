"""Fixtures shared by every test package."""

pytest_plugins = ["tests.fixtures.postgres", "tests.fixtures.ses"]
