"""The demo: Home Assistant with the Yeastar integration and a simulated office PBX (scripts/demo)."""
