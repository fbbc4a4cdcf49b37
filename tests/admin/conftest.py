"""Fixtures for the support actions (defined in ``support_world``, shared with tests/cli)."""

from tests.admin.support_world import store, world

__all__ = ["store", "world"]
