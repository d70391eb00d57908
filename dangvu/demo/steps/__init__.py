"""The demo build's steps, in order: one module per step, listed here explicitly.

Nothing registers itself: importing a step module has no side effect, and no app's ``ready()``
imports demo code. To add demo data for a feature, write a module here and put its step in
:data:`STEPS` where its data can be built (after what it reads, before ``users`` and ``audit``).
"""

from __future__ import annotations

from ..context import DemoStep
from .admission import build_admission_demo
from .audit import audit
from .classification import classification
from .discipline import discipline
from .evaluations import evaluations
from .fees import build_fees_demo
from .honours import honours
from .inspection import inspection
from .letters import letters
from .localities import localities
from .meetings import build_meetings_demo
from .members import members
from .plans import demo_plan
from .posts import posts
from .trainings import trainings
from .tree import plan_tree, write_tree
from .users import users
from .working_rules import working_rules
from .yearly_records import yearly_records

STEPS: list[tuple[str, DemoStep]] = [
    ("plan_tree", plan_tree),
    ("write_tree", write_tree),
    ("members", members),
    ("posts", posts),
    ("localities", localities),
    ("working_rules", working_rules),
    ("trainings", trainings),
    ("yearly_records", yearly_records),
    ("meetings", build_meetings_demo),  # reads the rolls and posts
    ("fees", build_fees_demo),  # reads the rolls, posts and who stopped coming to meetings
    ("admission", build_admission_demo),  # reads the members admitted in the window
    ("discipline", discipline),  # before the gradings, which read the discipline it decides
    ("evaluations", evaluations),  # reads the meetings' discipline and the posts
    ("plans", demo_plan),
    ("honours", honours),  # reads the members' admission dates and history
    ("classification", classification),  # reads last year's meetings, grades and fees
    ("letters", letters),  # letters of the root committee, exemplary members of each grassroots organization
    ("inspection", inspection),  # programmes of inspection and supervision over the committees' cells
    ("users", users),  # the «bithu» login is the secretary of the village cell with a plan
    ("audit", audit),  # last: sums up every row written
]
"""The build, in order."""

__all__ = ["STEPS"]
