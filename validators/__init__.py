"""Validators: SHACL profiles, the open data strategy's policy checks and an MQA-style score."""
