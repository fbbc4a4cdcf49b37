"""Test helpers shared across layers (fixtures live in plugin modules registered by tests/conftest.py)."""
