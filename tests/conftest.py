"""Fixtures shared by every test package."""

pytest_plugins = ["tests.fixtures.browser", "tests.fixtures.postgres", "tests.fixtures.ses"]
