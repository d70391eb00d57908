"""Read-only JSON API (django-ninja), scoped exactly like the web UI."""
