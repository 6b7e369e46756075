"""Test-run machinery that is not itself a test (pytest plugins)."""
