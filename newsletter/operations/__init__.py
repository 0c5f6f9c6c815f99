"""Running the newsletter with nobody watching: the daily job (the one orchestrator of the
day), its lock, the scheduler and the status report. Edition states live beside the
stages (`newsletter.editions`)."""
