"""Running the newsletter with nobody watching: edition states, the daily lock, the
scheduler and the status report."""
