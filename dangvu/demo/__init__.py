"""The embedded demo: a deterministic synthetic data set (``dangvu demo``).

:func:`dangvu.demo.services.build_demo` builds it as the ordered list of steps in
:data:`dangvu.demo.steps.STEPS` (one module per step). Demo code is imported only by the ``demo``
and ``bench`` commands and by tests, never by an app's ``ready()``.
"""
