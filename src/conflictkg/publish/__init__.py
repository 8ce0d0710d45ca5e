"""Publishing a release into an external triple store (``conflictkg publish --to URL``)."""
