"""Demo data: a plausible, deterministic community for trying the application (`seed-demo`)."""
