"""Real local servers for the tests: pycsw, a fault-injecting proxy, PostgreSQL, moto S3, a network guard."""
