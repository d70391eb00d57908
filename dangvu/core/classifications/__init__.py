"""Data files: cell classification frameworks (see :class:`dangvu.core.classification.Framework`)."""
