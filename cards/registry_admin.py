"""Cards for POC+ about the registry: its state, and the preview of an import before it applies."""

from __future__ import annotations

from actions.payloads import action_data
from cards.common import card, facts, heading, safe_text, submit, subtle, text
from survey.registry import Registry
from survey.registry_import import RegistryChanges, consequences, counts, describe, summary

HOW_TO_IMPORT = (
    "**Het register aanpassen:** stuur hier een Excel-bestand (.xlsx) of CSV-bestand met één rij per "
    "persoon en de kolommen *centrum-id, centrum, naam, e-mail, rol* (lid, directeur, AD, CODI, DICO of "
    "school), eventueel *azure-ad-id* en *scholengroep*. Een rij met rol *school* is een contactpersoon "
    "van een school: vul dan ook *school* en *schooltype* in (bao, so, bubao of buso). Je ziet eerst wat "
    "er verandert; pas na *Toepassen* wordt het nieuwe register gebruikt."
)
MAX_NAMES = 15


def registry_card(registry: Registry, unreachable: dict[str, list[str]], download_url: str | None) -> dict:
    """The registry's state. `unreachable`: centre name -> names of people the bot cannot reach yet."""
    numbers = counts(registry)
    missing = sum(len(names) for names in unreachable.values())
    body = [
        heading("Register van centra"),
        facts(
            [
                ("Centra", str(numbers["centres"])),
                ("Personen", f"{numbers['people']} (directeurs en leden van de beleidsteams)"),
                (
                    "Scholengroep",
                    f"{numbers['contacts']} {'contactpersoon' if numbers['contacts'] == 1 else 'contactpersonen'}"
                    " (AD, CODI, DICO)",
                ),
                (
                    "Scholen",
                    f"{numbers['schools']} ({numbers['school_contacts']} "
                    f"{'contactpersoon' if numbers['school_contacts'] == 1 else 'contactpersonen'})",
                ),
                # Out of everyone above, contacts included, so the numbers add up.
                (
                    "Nog niet bereikbaar",
                    f"{missing} van {numbers['people'] + numbers['contacts'] + numbers['school_contacts']}",
                ),
            ]
        ),
    ]
    if missing:
        body.append(
            text(
                f"**{'Eén persoon is' if missing == 1 else f'{missing} personen zijn'} nog niet bereikbaar:** nog geen chat "
                "met Poolster en geen Azure AD-id in het register, dus geen uitnodiging, herinnering of rapport. Vul het "
                "Azure AD-id aan in het register, of vraag hen Poolster te openen in Teams.",
                spacing="Medium",
            )
        )
        lines, shown = [], 0
        for centre, names in unreachable.items():
            if shown >= MAX_NAMES:
                break
            part = names[: MAX_NAMES - shown]
            shown += len(part)
            rest = f" en nog {len(names) - len(part)}" if len(names) > len(part) else ""
            lines.append(f"• {safe_text(centre)}: {safe_text(', '.join(part))}{rest}")
        if missing > shown:
            lines.append(f"… en nog {missing - shown} in andere centra.")
        body.append(text("\n\n".join(lines), size="Small", spacing="Small"))
    else:
        body.append(text("Iedereen in het register is bereikbaar voor Poolster.", spacing="Medium"))
    body.append(text(HOW_TO_IMPORT, spacing="Medium"))
    actions = (
        [{"type": "Action.OpenUrl", "title": "Download het register (Excel)", "url": download_url}]
        if download_url
        else None
    )
    if download_url:
        body.append(subtle("De downloadlink werkt 15 minuten; pas het bestand aan en stuur het hier terug."))
    return card(body, actions)


def import_preview_card(
    file_name: str, current: Registry, new: Registry, changes: RegistryChanges, ignored: list[str], token: str | None
) -> dict:
    """What applying the file would change; `token` names the stored preview (None: nothing changes)."""
    body = [
        heading("Nieuw register: voorbeeld"),
        subtle(f"Uit {safe_text(file_name)} · er is nog niets gewijzigd"),
        text(f"**Na toepassen:** {summary(new)}.", spacing="Medium"),
        text(f"Nu: {summary(current)}.", spacing="None", size="Small"),
    ]
    if changes.nothing:
        body.append(text("Het bestand komt overeen met het huidige register: er verandert niets.", spacing="Medium"))
        return card(body)
    body.append(facts([(safe_text(what), safe_text(which)) for what, which in describe(changes)]))
    for note in consequences(changes):
        body.append(text("Let op: " + note, size="Small", spacing="Small"))
    if ignored:
        more = f" en nog {len(ignored) - 10}" if len(ignored) > 10 else ""
        body.append(subtle(f"Genegeerde kolommen: {safe_text(', '.join(ignored[:10]))}{more}."))
    return card(
        body,
        [
            submit("Toepassen", action_data("apply_registry_import", token=token), style="positive"),
            submit("Annuleer", action_data("cancel_registry_import", token=token)),
        ],
    )


def import_refused_card(file_name: str, problems: list[str]) -> dict:
    """Why a file was not read: every problem with its row, literally."""
    return card(
        [
            heading("Register niet ingelezen"),
            subtle(f"Uit {safe_text(file_name)} · er is niets gewijzigd"),
            {
                "type": "Container",
                "style": "attention",
                "spacing": "Medium",
                "items": [text("• " + safe_text(problem), size="Small", spacing="Small") for problem in problems],
            },
            text("Verbeter het bestand en stuur het opnieuw.", spacing="Medium"),
        ]
    )
