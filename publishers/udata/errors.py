"""What can go wrong talking to udata, sorted by what the run must do: stop, or skip one record."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from luxcat.errors import ConfigError, PipelineError, RecordError

if TYPE_CHECKING:
    from publishers.base import Plan


class UdataStopped(PipelineError):
    """The run cannot go on (auth, membership, portal down); `plan` holds what was done before the stop."""

    plan: Plan | None = None


class UdataAuthError(UdataStopped, ConfigError):
    """401/403: the API key is wrong, expired or lacks the right; retrying cannot help."""


class UdataNotMember(UdataStopped, ConfigError):
    """udata answered 400 on `organization`: the key's user is not a member of that organisation."""

    def __init__(self, organization: str, detail: str = "") -> None:
        message = (
            f"the API key's user is not a member of organisation {organization} on data.public.lu"
            " (udata refused the organisation); ask an admin of that organisation to add the user"
        )
        super().__init__(message + (f" ({detail})" if detail else ""))
        self.organization = organization


class UdataUnavailable(UdataStopped):
    """The portal kept failing after every retry (or a listing could not be read completely)."""


class UdataRejected(RecordError):
    """400 on one dataset or resource: udata's field errors say why; the other records go on."""

    reason = "udata_rejected"

    def __init__(self, what: str, errors: dict[str, Any] | None, message: str = "") -> None:
        fields = "; ".join(
            f"{k}: {', '.join(map(str, v)) if isinstance(v, list) else v}" for k, v in (errors or {}).items()
        )
        super().__init__(f"{what}: udata refused it ({fields or message or 'no detail'})")
        self.errors = errors or {}


class UdataGone(RecordError):
    """410: the dataset was deleted on the portal; luxcat reports it and never recreates it blindly."""

    reason = "deleted_on_portal"
