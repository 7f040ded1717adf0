"""Schools in the registry spreadsheet: a row per contact person with rol "school", the school's name
and type beside it; mistakes named by row, in Dutch; the preview says what changes for schools; the
export gives the same rows back."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from cards.registry_admin import import_preview_card, registry_card
from survey.registry import Registry
from survey.registry_import import describe, diff, parse_registry, preview_text, registry_rows, summary
from tests.support.harness import MEMBERS
from tests.test_registry_import import current_rows, problems_of, xlsx

MO = MEMBERS[0]
HEADER = ("Centrum-id", "Centrum", "Naam", "E-mail", "Rol", "Azure AD-id", "Scholengroep", "School", "Schooltype")
SCHOOLS = [
    (
        "clb-demo",
        "GO! CLB Demo",
        "Sara Schoolhoofd",
        "sara@linde.example",
        "school",
        "",
        "",
        "Basisschool De Linde",
        "bao",
    ),
    ("clb-demo", "", "Tom Zorgleraar", "tom@linde.example", "School", "", "", "Basisschool De Linde", "BaO"),
    ("clb-demo", "", "Ilse Ingels", "ilse@atheneum.example", "school", "", "", "Atheneum Demo", "secundair onderwijs"),
]


def rows_with_schools(extra: list[tuple] = ()) -> list[tuple]:
    return [tuple(row[:7]) + ("", "") for row in current_rows()] + SCHOOLS + list(extra)


def test_school_rows_become_the_centres_schools_with_their_contacts():
    registry, ignored = parse_registry("register.xlsx", xlsx(rows_with_schools(), HEADER))
    assert not ignored
    demo = registry.centre("clb-demo")
    assert [(s.id, s.name, s.type, [p.email for p in s.contacts]) for s in demo.schools] == [
        ("basisschool-de-linde", "Basisschool De Linde", "bao", ["sara@linde.example", "tom@linde.example"]),
        ("atheneum-demo", "Atheneum Demo", "so", ["ilse@atheneum.example"]),
    ]
    assert "sara@linde.example" not in {p.email for p in demo.people}, "a school's contact is not in the team"
    assert registry.school_contact("tom@linde.example").school.name == "Basisschool De Linde"
    assert "2 scholen (3 contactpersonen)" in summary(registry)


def test_the_exported_registry_imports_again_as_the_same_registry():
    registry, _ = parse_registry("register.xlsx", xlsx(rows_with_schools(), HEADER))
    rows = registry_rows(registry)
    again, _ = parse_registry("register.xlsx", xlsx(rows[1:], rows[0]))
    assert again == registry


def test_school_mistakes_are_named_with_their_row_in_dutch():
    problems = problems_of(
        "register.xlsx",
        xlsx(
            rows_with_schools(
                [
                    ("clb-demo", "", "Wim Wit", "wim@x.example", "school", "", "", "Basisschool West", "kleuter"),
                    ("clb-demo", "", "", "", "school", "", "", "Basisschool Oost", "bao"),
                    ("clb-demo", "", "Sara Schoolhoofd", "sara@linde.example", "school", "", "", "Atheneum Demo", "so"),
                    ("clb-demo", "", "Nina Noord", "nina@x.example", "school", "", "", "", "bao"),
                    ("clb-demo", "", "Mo als school", MO.email, "school", "", "", "Basisschool Zuid", "bao"),
                    ("clb-demo", "", "Ria Rood", "ria@x.example", "school", "", "", "Atheneum Demo", "bao"),
                ]
            ),
            HEADER,
        ),
    )
    first = len(current_rows()) + len(SCHOOLS) + 2
    assert problems == [
        f"Rij {first}: schooltype ‘kleuter’ ken ik niet; kies bao, so, bubao of buso.",
        f"Rij {first + 1}: school ‘Basisschool Oost’ heeft hier geen contactpersoon: vul naam en e-mail in van wie "
        "de bevraging voor de school invult.",
        f"Rij {first + 2}: sara@linde.example is al contactpersoon van een andere school (rij {first - 3}); iemand "
        "vult de bevraging voor één school in.",
        f"Rij {first + 3}: bij rol school hoort de naam van de school (kolom ‘school’).",
        f"Rij {first + 4}: {MO.email} staat in rij 3 in het team van een centrum; een school kiest iemand van de "
        "school als contactpersoon.",
        f"Rij {first + 5}: school ‘Atheneum Demo’ (bao) staat in rij {first - 1} als ‘Atheneum Demo’ (so); geef een "
        "school overal dezelfde naam en hetzelfde schooltype.",
    ]


def test_the_preview_says_what_changes_for_schools(card_validator):
    old, _ = parse_registry("register.xlsx", xlsx(rows_with_schools(), HEADER))
    changed = [row for row in rows_with_schools() if row[3] != "ilse@atheneum.example"]
    changed = [
        row[:8] + ("bubao",) if row[3] == "tom@linde.example" or row[3] == "sara@linde.example" else row
        for row in changed
    ]
    changed.append(
        ("clb-andere", "GO! CLB Andere", "Lode Lyceum", "lode@lyceum.example", "school", "", "", "Lyceum", "so")
    )
    new, _ = parse_registry("register.xlsx", xlsx(changed, HEADER))
    changes = diff(old, new)
    lines = dict(describe(changes))
    assert lines["Nieuwe scholen: 1"] == "Lyceum (so, GO! CLB Andere)"
    assert lines["Verdwenen scholen: 1"] == "Atheneum Demo (GO! CLB Demo)"
    assert lines["Scholen gewijzigd: 1"] == "Basisschool De Linde (GO! CLB Demo): schooltype bao → bubao"
    text = preview_text(old, new, [])
    assert "kan de bevraging van de scholen niet meer invullen" in text
    card = import_preview_card("register.xlsx", old, new, changes, [], "token")
    state = registry_card(new, {}, None)
    assert "Scholen" in str(state) and "2 (3 contactpersonen)" in str(state)
    card_validator.assert_all_valid([card, state])


def test_a_registry_without_school_columns_still_imports():
    registry, _ = parse_registry("register.xlsx", xlsx([row[:7] for row in current_rows()]))
    assert registry == Registry.model_validate(registry.model_dump())
    assert all(not c.schools for c in registry.centres)


def test_a_hand_edited_registry_is_held_to_one_school_per_contact_and_no_team_member_as_contact():
    def centre(schools: list[dict], members: list[dict] | None = None) -> dict:
        return {
            "id": "clb-x",
            "name": "CLB X",
            "director": {"name": "D", "email": "d@x.be"},
            "members": members or [],
            "schools": schools,
        }

    contact = {"name": "Ilse", "email": "ilse@school.be"}
    two_schools = [
        {"id": "a", "name": "A", "type": "bao", "contacts": [contact]},
        {"id": "b", "name": "B", "type": "so", "contacts": [contact]},
    ]
    with pytest.raises(ValidationError, match="contact of schools a and b"):
        Registry.model_validate({"centres": [centre(two_schools)]})
    in_team = [{"id": "a", "name": "A", "type": "bao", "contacts": [contact]}]
    with pytest.raises(ValidationError, match="in the team of clb-x"):
        Registry.model_validate({"centres": [centre(in_team, members=[contact])]})
    assert Registry.model_validate({"centres": [centre(in_team)]}).school_contact("ILSE@school.be").school.id == "a"
