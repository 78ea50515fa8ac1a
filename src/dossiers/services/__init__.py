"""Use cases: each takes a session (one transaction) and plain values."""
