"""What every app shares: the service error model and who is acting.

Apps import these from here, never one another's private helpers.
"""

from .actors import acting_user, ensure_can_edit
from .errors import Code, ServiceError

__all__ = ["Code", "ServiceError", "acting_user", "ensure_can_edit"]
