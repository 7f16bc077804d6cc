"""Tests of the demo (scripts/demo): its parts, and the whole of it in a real browser."""
