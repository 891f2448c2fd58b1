"""The state store: findings, occurrences, exposures and the log of runs, in one SQLite file."""
