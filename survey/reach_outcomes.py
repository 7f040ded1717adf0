"""Why a person was not reached, in words POC+ can act on.

Every failed invitation, reminder or card records one of these codes (never an HTTP status or
an exception name); reports group the people by code and show the Dutch title and what to do.
"""

from __future__ import annotations

from enum import Enum


class NotReached(str, Enum):  # noqa: UP042 - stored by value; StrEnum would change str() of a member
    NOT_INSTALLED = "not_installed"  # 403 BotNotInConversationRoster / ForbiddenOperation
    BLOCKED = "blocked"  # 403 ConversationBlockedByUser: a real block
    DISABLED_BY_ADMIN = "disabled_by_admin"  # 403 BotDisabledByAdmin
    NOT_FOUND = "not_found"  # 404 ConversationNotFound, or no such user in Graph
    NOT_INSTALLABLE = "not_installable"  # Graph could not install Poolster: not in the catalog, no Teams
    NO_IDENTITY = "no_identity"  # never spoke to Poolster, no id and no Graph to look one up
    NO_CONSENT = "no_consent"  # Graph refused: the permission has no admin consent
    TOO_BIG = "too_big"  # 413 MessageSizeTooBig
    TEAMS_UNAVAILABLE = "teams_unavailable"  # retries used up on 5xx, time-outs or no connection
    REFUSED = "refused"  # any other refusal by Teams
    NOT_IN_REGISTRY = "not_in_registry"  # removed from the registry after the wave was launched
    INTERNAL_ERROR = "internal_error"  # a fault in Poolster itself (logged with its traceback)


# code -> (what happened, what POC+ can do about it)
EXPLANATIONS: dict[NotReached, tuple[str, str]] = {
    NotReached.NOT_INSTALLED: (
        "Poolster is niet geïnstalleerd voor deze persoon",
        "Laat de Teams-beheerder Poolster voor hen installeren (app-installatiebeleid), of vraag hen "
        "Poolster zelf te openen in Teams.",
    ),
    NotReached.BLOCKED: (
        "heeft Poolster geblokkeerd",
        "Vraag de persoon Poolster in Teams weer toe te laten.",
    ),
    NotReached.DISABLED_BY_ADMIN: (
        "Poolster is door de Teams-beheerder uitgeschakeld",
        "Vraag de Teams-beheerder Poolster toe te laten voor deze persoon.",
    ),
    NotReached.NOT_FOUND: (
        "niet gevonden in Teams",
        "Controleer het e-mailadres in het register.",
    ),
    NotReached.NOT_INSTALLABLE: (
        "Poolster kon niet voor deze persoon geïnstalleerd worden",
        "Vraag de Teams-beheerder na te gaan dat Poolster in de app-catalogus van de organisatie staat en "
        "dat deze persoon Teams gebruikt.",
    ),
    NotReached.NO_IDENTITY: (
        "nog niet bereikbaar: nooit met Poolster gesproken en geen Azure AD-id bekend",
        "Vraag de persoon Poolster te openen in Teams, of laat Poolster personen opzoeken via "
        "Microsoft Graph (zie de installatiegids).",
    ),
    NotReached.NO_CONSENT: (
        "Poolster mag Microsoft Graph niet gebruiken",
        "Laat een beheerder de toestemming (admin consent) voor Poolster geven.",
    ),
    NotReached.TOO_BIG: (
        "het bericht was te groot voor Teams",
        "Meld dit aan de beheerders van Poolster.",
    ),
    NotReached.TEAMS_UNAVAILABLE: (
        "Teams was tijdelijk niet bereikbaar",
        "Probeer later opnieuw met 'herinner'.",
    ),
    NotReached.REFUSED: (
        "Teams weigerde het bericht",
        "Meld dit aan de beheerders van Poolster.",
    ),
    NotReached.NOT_IN_REGISTRY: (
        "staat niet meer in het register",
        "Niets te doen: de persoon werd na de lancering uit het register gehaald.",
    ),
    NotReached.INTERNAL_ERROR: (
        "er liep iets mis in Poolster zelf",
        "Meld dit aan de beheerders van Poolster; 'herinner' probeert het later opnieuw.",
    ),
}


def explain(code: str) -> tuple[str, str]:
    """The Dutch title and advice for a stored code; an unknown code is a refusal, never hidden."""
    try:
        return EXPLANATIONS[NotReached(code)]
    except ValueError:
        return EXPLANATIONS[NotReached.REFUSED]
