"""Plain-text rules shared by collect and brief: story furniture out, topics matched."""
