"""Open data strategy indicators over the merged catalogue, kept as a history and published as open data."""
