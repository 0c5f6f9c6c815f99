"""Fixtures shared by every test package."""

pytest_plugins = [
    "tests.fixtures.browser",
    "tests.fixtures.command",
    "tests.fixtures.postgres",
    "tests.fixtures.ses",
    "tests.fixtures.site",
    "tests.fixtures.smtp",
]
