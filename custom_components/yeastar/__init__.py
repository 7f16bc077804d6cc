"""The Yeastar S-Series integration."""
