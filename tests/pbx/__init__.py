"""Tests of pbx."""
