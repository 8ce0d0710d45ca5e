"""The web layer: app wiring, linked-data pages and templates. Thin: it calls the stages."""
