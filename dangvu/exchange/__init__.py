"""Exchange with the level above (issue 18, point 3): a signed, versioned package of a subtree's
records, built by :mod:`.package`, imported idempotently by :func:`.services.import_package`."""
