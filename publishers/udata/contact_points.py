"""Contact e-mails as udata takes them: normalised, then checked with udata's own rule (email-validator).

Catalogues write `vcard:hasEmail` in many ways: `mailto:Info@Example.de`, ` info@example.de `, or as a
relative IRI (`rdf:resource="info@example.de"`), which an RDF parser resolves against the document URL
into `http://portal.example/path/info@example.de`. udata 17 checks contact e-mails with
`email_validator.validate_email(value, check_deliverability=False)` and refuses the contact point
otherwise, and refuses a name containing a URL. Doing the same checks here lets luxcat leave out only
the bad contact (reported) instead of losing the whole dataset to a 400.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email

_MAILTO = re.compile(r"^\s*mailto:\s*", re.IGNORECASE)
_URL_IN_TEXT = re.compile(r"https?://|www\.[a-z0-9-]+\.[a-z]", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Contact:
    """A contact point udata will accept, and what was changed or left out on the way."""

    name: str
    email: str | None
    contact_form: str | None
    notes: tuple[str, ...] = field(default=())


def normalise_email(value: str) -> str:
    """`mailto:`, whitespace, relative-IRI artefacts (`http://host/x/info@y.de`) and case removed."""
    text = urllib.parse.unquote(_MAILTO.sub("", value.strip())).strip()
    if re.match(r"^(https?|file)://", text, re.IGNORECASE) and "@" in text:
        last = text.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]  # the relative IRI, resolved by the parser
        text = _MAILTO.sub("", last)
    text = text.split("?", 1)[0]  # mailto:x@y?subject=...
    return "".join(text.split()).lower()


def valid_email(value: str) -> bool:
    """udata's own check: email-validator syntax, no deliverability lookup."""
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def contact(name: str | None, raw_email: str | None, form: str | None) -> Contact | str:
    """The contact udata will accept, or a warning (str) saying why this contact is left out."""
    shown = name or raw_email or form or "?"
    if name and _URL_IN_TEXT.search(name):
        return f"contact point {shown!r}: udata refuses a URL in a contact name; left out"
    notes: list[str] = []
    email: str | None = None
    if raw_email:
        candidate = normalise_email(raw_email)
        if valid_email(candidate):
            email = candidate
        else:
            notes.append(
                f"contact point {shown!r}: e-mail {raw_email!r} is not a valid address (udata would refuse it)"
            )
    if form and not re.match(r"^https?://\S+$", form):
        notes.append(f"contact point {shown!r}: contact form {form!r} is not an http(s) URL")
        form = None
    if not (email or form):  # udata: a `contact` needs an e-mail or a contact form (the name is optional)
        return "; ".join([*notes, f"contact point {shown!r}: no valid e-mail or contact form; left out"])
    if raw_email and not email:
        notes[-1] += "; published with its contact form only"
    return Contact((name or "")[:255], email[:255] if email else None, form, tuple(notes))
