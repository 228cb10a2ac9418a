"""Build and test tooling for the site (not reader-facing code)."""
