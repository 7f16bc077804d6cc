"""Async client library for the Yeastar S-Series PBX API 2.0.0 (no Home Assistant imports)."""
