"""Routers of the linked-data site, one module per area."""
