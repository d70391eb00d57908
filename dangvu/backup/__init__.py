"""Backup and restore of a whole Đảng vụ instance (issue 18, point 5).

``dangvu backup --out FILE`` writes one ``.tar.gz``: the database (SQLite's online backup of the live
WAL database, or ``pg_dump -Fc`` of one snapshot on PostgreSQL), the uploaded files under
``MEDIA_ROOT`` and a ``manifest.json`` that names the format, the Đảng vụ version, the engine, the
migration state and, for every table, its row count and checksum (:mod:`.tables`), and for every
member file its SHA-256. ``dangvu restore FILE`` checks all of that before it writes anything,
restores into an empty instance, and checks every table again against the manifest.

No models here: the package reads the configured database through Django's connections.
"""
