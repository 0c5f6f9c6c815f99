"""Items → Briefing: select the day's stories and write them."""
