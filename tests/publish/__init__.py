"""Publishing tests: the merged catalogue, its export and serving, data.europa.eu, the commands."""
