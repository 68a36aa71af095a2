"""The data layer's own exceptions: what callers above `dal` catch instead of pynamodb's."""


class DataError(Exception):
    """A data-access failure the domain can name."""


class ConditionFailed(DataError):
    """A conditional write or transaction was refused on its condition: the row moved on (a repeated event, a
    concurrent caller). Not a failure of the store; the caller decides what it means."""


class NotFound(DataError):
    """The row does not exist."""
