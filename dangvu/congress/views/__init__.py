"""Congress pages, by theme: :mod:`.preparation` (congresses, campaign timeline, milestones and
progress, delegate apportionment), :mod:`.drafts` (drafts and comments), :mod:`.elections`
(elections, counting teams, the count and its minutes).

Every lookup is scoped by the user's :class:`~dangvu.accounts.access.Access` through
:mod:`dangvu.congress.selectors`: an object whose organization is outside the read subtree
answers 404; an edit form for a read-only role 403. Pages never write: they call the services.
"""
