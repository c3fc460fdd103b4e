"""Something a request needs that is still being prepared in the background.

The web application does not keep a user waiting for a long preparation, such as building the occupation
coder after an update of the data or of the software (about a minute): the request is answered at once
with *503 Service Unavailable*, a ``Retry-After`` header and a page that says what is being prepared
(``alue.web.app``).
"""

from __future__ import annotations


def N_(message: str) -> str:
    """Marks a message id for the translation catalogue (translated where it is shown)."""
    return message


class NotReady(RuntimeError):
    """What the request needs is being prepared; it can be asked for again in ``retry_after`` seconds.

    ``failed``: the last preparation failed and is tried again later (the log says why). ``message`` and
    ``failed_message`` are what the page says, message ids of the application's catalogue.
    """

    message = N_("A part of the service is being prepared after an update. Try again in a minute.")
    failed_message = N_(
        "A part of the service could not be prepared. It is tried again in a while; if this goes on, "
        "tell the administrator (the server's log says why)."
    )

    def __init__(self, what: str, *, retry_after: int, failed: bool = False) -> None:
        super().__init__(f"{what} is {'not available' if failed else 'being prepared'}")
        self.retry_after = retry_after
        self.failed = failed
