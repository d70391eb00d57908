"""The embedded demo: a deterministic synthetic data set (``dangvu demo``).

:func:`dangvu.demo.services.build_demo` builds it as an ordered list of steps; later features
(meetings, evaluations, admissions, plans) add their own steps with
:func:`dangvu.demo.services.register_step`.
"""
