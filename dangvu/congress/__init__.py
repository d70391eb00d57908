"""Congress (đại hội): timeline and milestones, delegate apportionment, drafts, elections."""
