"""`newsletter doctor`: check everything a real send depends on, one line per check.

Groups: config and secrets, database, SES account, SES bounce/complaint
feedback, feeds, the last edition. See `runner.run`.
"""

from newsletter.doctor.check import Check
from newsletter.doctor.runner import Report, run

__all__ = ["Check", "Report", "run"]
