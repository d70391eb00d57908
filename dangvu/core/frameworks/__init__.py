"""Data files: meeting scoring frameworks (see :class:`dangvu.core.meetings.ScoringFramework`)."""
