"""The registry as POC+ keeps it: a spreadsheet (XLSX or CSV) with one row per person.

Columns (the first row names them; order and case do not matter):

    centrum-id | centrum | naam | e-mail | rol | azure-ad-id (optional) | scholengroep (optional)
    | school (for rol school) | schooltype (for rol school) | school-id (optional)

`rol` is lid, directeur (the centre's team, who answer the self-scan), AD, CODI, DICO (the
scholengroep's contacts, who receive the centre's results) or school: the row is a contact person
of one of the centre's schools, named in `school`, of type bao, so, bubao or buso (`schooltype`),
who answers the schools' survey for it. A school with two contacts has two rows; the school-id is
made from the name unless the file gives one. Reading never trusts the file: every problem is
reported with its row number, in Dutch, and nothing changes until the whole file is valid. What an
import would change is described first (`diff`), so POC+ sees it before applying.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from survey.export import FORMULA_STARTS
from survey.registry import SCHOOL_TYPE_LABELS, SCHOOL_TYPES, Centre, Person, Registry, ScholengroepContact, School

MAX_PROBLEMS_SHOWN = 20
CENTRE_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
ROLES = {"lid": "member", "directeur": "director", "ad": "AD", "codi": "CODI", "dico": "DICO", "school": "school"}
ROLE_WORDS = "lid, directeur, AD, CODI, DICO of school"
ROLE_NAMES = {"member": "lid", "director": "directeur", "AD": "AD", "CODI": "CODI", "DICO": "DICO"}
SCHOOL_TYPE_WORDS = ", ".join(SCHOOL_TYPES[:-1]) + " of " + SCHOOL_TYPES[-1]

# Column -> the headers that mean it, compared without case, accents, spaces or punctuation.
COLUMNS: dict[str, tuple[str, ...]] = {
    "centre_id": ("centrum-id", "centrumid", "centrum id", "centre id", "clb-id", "id"),
    "centre_name": ("centrum", "centrumnaam", "naam centrum", "clb", "centre"),
    "name": ("naam", "volledige naam", "name"),
    "email": ("e-mail", "e-mailadres", "email", "mail", "upn", "emailadres"),
    "role": ("rol", "functie", "role"),
    "aad_object_id": ("azure-ad-id", "azure ad id", "aad-id", "aad object id", "object-id", "azure-id"),
    "scholengroep": ("scholengroep", "scholengroep naam"),
    "school": ("school", "schoolnaam", "naam school"),
    "school_type": ("schooltype", "type school", "soort school", "onderwijs"),
    "school_id": ("school-id", "schoolid", "instellingsnummer"),
}
# What a cell may hold: more is a mistake in the file (and would not fit on a card).
LIMITS = {
    "centre_id": 60,
    "centre_name": 120,
    "name": 120,
    "email": 254,
    "role": 20,
    "aad_object_id": 100,
    "scholengroep": 120,
    "school": 120,
    "school_type": 40,
    "school_id": 60,
}
REQUIRED = ("centre_id", "centre_name", "name", "email", "role")
COLUMN_WORDS = {
    "centre_id": "centrum-id",
    "centre_name": "centrum",
    "name": "naam",
    "email": "e-mail",
    "role": "rol",
    "aad_object_id": "azure-ad-id",
    "scholengroep": "scholengroep",
    "school": "school",
    "school_type": "schooltype",
    "school_id": "school-id",
}
# A school type as POC+ may write it: the code or the words ("basisonderwijs", "BuSO").
SCHOOL_TYPE_KEYS: dict[str, str] = {
    **{_t: _t for _t in SCHOOL_TYPES},
    **{re.sub(r"[^a-z]", "", label): _t for _t, label in SCHOOL_TYPE_LABELS.items()},
}


class ImportRefused(ValueError):
    """The file cannot become the registry; `problems` say why, each with its row where it has one."""

    def __init__(self, problems: list[str]):
        shown = problems[:MAX_PROBLEMS_SHOWN]
        if len(problems) > len(shown):
            shown.append(f"… en nog {len(problems) - len(shown)} problemen.")
        super().__init__("\n".join(shown))
        self.problems = shown


def _key(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return re.sub(r"[^a-z0-9]", "", "".join(ch for ch in text if not unicodedata.combining(ch)).lower())


_HEADER_KEYS = {_key(word): column for column, words in COLUMNS.items() for word in words}


def _quoted(value: str, limit: int = 60) -> str:
    """A cell's text as a message repeats it: never the whole of a runaway cell."""
    return value if len(value) <= limit else value[:limit] + "…"


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel keeps a numeric id such as 123 as 123.0
    return unicodedata.normalize("NFC", str(value)).strip()


def read_rows(name: str, content: bytes) -> list[tuple[int, list[str]]]:
    """The file's rows as (row number as the spreadsheet shows it, cells as text)."""
    suffix = Path(name).suffix.lower()
    if suffix == ".xlsx":
        return _xlsx_rows(content)
    if suffix in (".csv", ".txt"):
        return _csv_rows(content)
    raise ImportRefused(
        [
            f"‘{Path(name).name}’ is geen Excel-bestand (.xlsx) of CSV-bestand (.csv). "
            "Bewaar het register in Excel als .xlsx (of als CSV) en probeer opnieuw."
        ]
    )


def _xlsx_rows(content: bytes) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook  # only an import needs it

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:
        raise ImportRefused(
            [
                "Dit Excel-bestand kan ik niet openen. Is het beschadigd of beveiligd met een "
                "wachtwoord? Bewaar het opnieuw als .xlsx en probeer opnieuw."
            ]
        ) from error
    try:
        sheet = workbook.worksheets[0]
        return [
            (number, [_cell(value) for value in row])
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
    finally:
        workbook.close()


def _csv_rows(content: bytes) -> list[tuple[int, list[str]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")  # what Excel on Windows writes as "CSV"
    first_line = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    for row in reader:
        rows.append((reader.line_num, [_cell(value) for value in row]))
    return rows


@dataclass
class _Draft:
    """A centre as the rows describe it so far, with the row where each thing was first said."""

    id: str
    row: int
    name: str = ""
    name_row: int = 0
    scholengroep: str = ""
    scholengroep_row: int = 0
    director: Person | None = None
    director_row: int = 0
    members: list[Person] = field(default_factory=list)
    contacts: list[ScholengroepContact] = field(default_factory=list)
    contact_rows: dict[str, int] = field(default_factory=dict)
    schools: dict[str, _SchoolDraft] = field(default_factory=dict)


@dataclass
class _SchoolDraft:
    id: str
    name: str
    type: str
    row: int
    contacts: list[Person] = field(default_factory=list)


def school_id_for(name: str) -> str:
    """A school's id from its name, as the registry needs it (lower case, digits, dashes)."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:60] or "school"


def parse_registry(name: str, content: bytes) -> tuple[Registry, list[str]]:
    """The registry the file describes, and the headers it ignored; ImportRefused if not valid."""
    rows = [(number, cells) for number, cells in read_rows(name, content) if any(cells)]
    if not rows:
        raise ImportRefused(
            [
                "Het bestand is leeg: de eerste rij noemt de kolommen (centrum-id, centrum, naam, "
                "e-mail, rol), daarna volgt één rij per persoon."
            ]
        )
    header_row, header = rows[0]
    positions: dict[str, int] = {}
    ignored: list[str] = []
    for index, title in enumerate(header):
        column = _HEADER_KEYS.get(_key(title))
        if column and column not in positions:
            positions[column] = index
        elif title:
            ignored.append(_quoted(title, 40))
    missing = [COLUMN_WORDS[c] for c in REQUIRED if c not in positions]
    if missing:
        raise ImportRefused(
            [
                f"Rij {header_row}: de kolom{'men' if len(missing) > 1 else ''} {', '.join(f'‘{m}’' for m in missing)} "
                f"ontbre{'ken' if len(missing) > 1 else 'ekt'}. De eerste rij noemt de kolommen: centrum-id, centrum, "
                "naam, e-mail, rol en eventueel azure-ad-id en scholengroep."
            ]
        )
    if len(rows) == 1:
        raise ImportRefused(["Het bestand bevat geen personen: na de rij met de kolomnamen volgt één rij per persoon."])

    problems: list[str] = []
    centres: dict[str, _Draft] = {}
    people_rows: dict[str, int] = {}  # identity of a member or director -> row
    school_contact_rows: dict[str, tuple[int, str]] = {}  # identity of a school's contact -> row, school

    for number, cells in rows[1:]:

        def get(column: str) -> str:
            index = positions.get(column)
            return cells[index] if index is not None and index < len(cells) else ""  # noqa: B023 - called within this iteration only

        found: list[str] = []
        for column, limit in LIMITS.items():
            if len(get(column)) > limit:
                found.append(f"{COLUMN_WORDS[column]} is te lang ({len(get(column))} tekens; hoogstens {limit})")
        if found:
            problems.append(f"Rij {number}: {'; '.join(found)}.")
            continue
        centre_id = get("centre_id").lower()
        if not centre_id:
            found.append("centrum-id ontbreekt")
        elif not CENTRE_ID.match(centre_id):
            found.append(
                f"centrum-id ‘{_quoted(centre_id)}’ mag enkel kleine letters, cijfers en streepjes bevatten "
                "(bv. clb-antwerpen)"
            )
        person_name = get("name")
        if not person_name:
            found.append("naam ontbreekt")
        email, aad = get("email"), get("aad_object_id")
        if not email and not aad:
            found.append("e-mailadres ontbreekt")
        elif email and not EMAIL.match(email):
            found.append(f"‘{_quoted(email)}’ is geen geldig e-mailadres")
        role_text = get("role")
        role = ROLES.get(_key(role_text))
        if not role_text:
            found.append(f"rol ontbreekt (kies {ROLE_WORDS})")
        elif role is None:
            found.append(f"rol ‘{_quoted(role_text)}’ ken ik niet; kies {ROLE_WORDS}")
        school_name, type_text = get("school"), get("school_type")
        if role == "school":
            if not school_name:
                found.append("bij rol school hoort de naam van de school (kolom ‘school’)")
            if not type_text:
                found.append(f"schooltype ontbreekt (kies {SCHOOL_TYPE_WORDS})")
            elif _key(type_text) not in SCHOOL_TYPE_KEYS:
                found.append(f"schooltype ‘{_quoted(type_text)}’ ken ik niet; kies {SCHOOL_TYPE_WORDS}")
            if not person_name and not email and not aad:  # one message says it all
                found = [f for f in found if f not in ("naam ontbreekt", "e-mailadres ontbreekt")]
                found.append(
                    f"school ‘{_quoted(school_name)}’ heeft hier geen contactpersoon: vul naam en e-mail in "
                    "van wie de bevraging voor de school invult"
                )
        if found:
            problems.append(f"Rij {number}: {'; '.join(found)}.")
            continue

        draft = centres.setdefault(centre_id, _Draft(centre_id, number))
        for attribute, value, what in (
            ("name", get("centre_name"), "heet"),
            ("scholengroep", get("scholengroep"), "hoort bij scholengroep"),
        ):
            earlier_row = getattr(draft, f"{attribute}_row")
            if not value:
                continue
            if not earlier_row:
                setattr(draft, attribute, value)
                setattr(draft, f"{attribute}_row", number)
            elif value != getattr(draft, attribute):
                problems.append(
                    f"Rij {number}: centrum ‘{centre_id}’ {what} hier ‘{_quoted(value)}’, maar in rij "
                    f"{earlier_row} ‘{_quoted(getattr(draft, attribute))}’."
                )
        try:
            person = Person(name=person_name, email=email or None, aad_object_id=aad or None)
        except ValidationError:
            problems.append(f"Rij {number}: deze persoon kan ik niet lezen.")
            continue
        if role == "school":
            school_id = get("school_id").lower() or school_id_for(school_name)
            if not CENTRE_ID.match(school_id):
                problems.append(
                    f"Rij {number}: school-id ‘{_quoted(school_id)}’ mag enkel kleine letters, cijfers en "
                    "streepjes bevatten."
                )
                continue
            school_type = SCHOOL_TYPE_KEYS[_key(type_text)]
            school = draft.schools.setdefault(school_id, _SchoolDraft(school_id, school_name, school_type, number))
            if (school.name, school.type) != (school_name, school_type):
                problems.append(
                    f"Rij {number}: school ‘{_quoted(school_name)}’ ({school_type}) staat in rij {school.row} "
                    f"als ‘{_quoted(school.name)}’ ({school.type}); geef een school overal dezelfde naam "
                    "en hetzelfde schooltype."
                )
                continue
            clash = next(
                (school_contact_rows[i.lower()] for i in (email, aad) if i and i.lower() in school_contact_rows), None
            )
            if clash is not None:
                if clash[1] == f"{centre_id}/{school_id}":
                    problems.append(f"Rij {number}: {_quoted(email or aad)} staat al bij deze school (rij {clash[0]}).")
                else:
                    problems.append(
                        f"Rij {number}: {_quoted(email or aad)} is al contactpersoon van een andere school "
                        f"(rij {clash[0]}); iemand vult de bevraging voor één school in."
                    )
                continue
            team = next((people_rows[i.lower()] for i in (email, aad) if i and i.lower() in people_rows), None)
            if team is not None:
                problems.append(
                    f"Rij {number}: {_quoted(email or aad)} staat in rij {team} in het team van een "
                    "centrum; een school kiest iemand van de school als contactpersoon."
                )
                continue
            for identity in filter(None, (email, aad)):
                school_contact_rows[identity.lower()] = (number, f"{centre_id}/{school_id}")
            school.contacts.append(person)
            continue
        if role in ("member", "director"):
            row = next((people_rows[i.lower()] for i in (email, aad) if i and i.lower() in people_rows), None)
            if row is None:
                row = next(
                    (school_contact_rows[i.lower()][0] for i in (email, aad) if i and i.lower() in school_contact_rows),
                    None,
                )
            if row is not None:
                problems.append(
                    f"Rij {number}: {_quoted(email or aad)} staat ook in rij {row}; iemand hoort bij één "
                    "centrum en heeft er één rol."
                )
                continue
            for identity in filter(None, (email, aad)):
                people_rows[identity.lower()] = number
            if role == "director":
                if draft.director is not None:
                    problems.append(
                        f"Rij {number}: centrum ‘{centre_id}’ heeft al een directeur (rij "
                        f"{draft.director_row}); een centrum heeft er één."
                    )
                    continue
                draft.director, draft.director_row = person, number
            else:
                draft.members.append(person)
        else:
            contact = ScholengroepContact(**person.model_dump(), role=role)
            if contact.key in draft.contact_rows:
                problems.append(
                    f"Rij {number}: {_quoted(email or aad)} staat al bij centrum ‘{centre_id}’ als contact van "
                    f"de scholengroep (rij {draft.contact_rows[contact.key]})."
                )
                continue
            draft.contact_rows[contact.key] = number
            draft.contacts.append(contact)

    for draft in centres.values():
        if not draft.name:
            problems.append(
                f"Centrum ‘{draft.id}’ (vanaf rij {draft.row}): de naam van het centrum ontbreekt (kolom ‘centrum’)."
            )
        if draft.director is None:
            problems.append(
                f"Centrum ‘{draft.id}’ (vanaf rij {draft.row}): er is geen directeur; geef één persoon "
                "de rol ‘directeur’."
            )
    if problems:
        raise ImportRefused(problems)
    registry = Registry(
        centres=tuple(
            Centre(
                id=d.id,
                name=d.name,
                director=d.director,
                members=tuple(d.members),
                scholengroep=d.scholengroep or None,
                scholengroep_contacts=tuple(d.contacts),
                schools=tuple(
                    School(id=s.id, name=s.name, type=s.type, contacts=tuple(s.contacts)) for s in d.schools.values()
                ),
            )
            for d in centres.values()
        )
    )
    return registry, ignored


# ----- what an import changes ---------------------------------------------------------------------


@dataclass(frozen=True)
class PersonChange:
    name: str
    key: str
    centre: str  # the centre's name (the new one, or the old one for a removal)
    detail: str = ""


@dataclass
class RegistryChanges:
    centres_added: list[str] = field(default_factory=list)
    centres_removed: list[str] = field(default_factory=list)
    centres_renamed: list[str] = field(default_factory=list)
    people_added: list[PersonChange] = field(default_factory=list)
    people_removed: list[PersonChange] = field(default_factory=list)
    people_moved: list[PersonChange] = field(default_factory=list)
    roles_changed: list[PersonChange] = field(default_factory=list)
    details_changed: list[PersonChange] = field(default_factory=list)
    contacts_changed: list[str] = field(default_factory=list)
    schools_added: list[str] = field(default_factory=list)
    schools_removed: list[str] = field(default_factory=list)
    schools_changed: list[str] = field(default_factory=list)

    @property
    def nothing(self) -> bool:
        return not any(getattr(self, name) for name in self.__dataclass_fields__)


def _roles(registry: Registry) -> dict[str, tuple[Centre, Person, str]]:
    return {p.key: (c, p, "director" if p is c.director else "member") for c in registry.centres for p in c.people}


def _contacts(centre: Centre | None) -> set[tuple[str, str, str]]:
    return {(c.key, c.role, c.name) for c in centre.scholengroep_contacts} if centre else set()


def diff(old: Registry, new: Registry) -> RegistryChanges:
    """What replacing `old` by `new` changes, person by person (people are matched by their key)."""
    changes = RegistryChanges()
    old_centres = {c.id: c for c in old.centres}
    new_centres = {c.id: c for c in new.centres}
    changes.centres_added = [
        f"{c.name} ({c.id})" + (f", scholengroep {c.scholengroep}" if c.scholengroep else "")
        for c in new.centres
        if c.id not in old_centres
    ]
    changes.centres_removed = [f"{c.name} ({c.id})" for c in old.centres if c.id not in new_centres]
    changes.centres_renamed = [
        f"{old_centres[c.id].name} → {c.name}"
        for c in new.centres
        if c.id in old_centres and old_centres[c.id].name != c.name
    ]
    before, after = _roles(old), _roles(new)
    for key, (centre, person, role) in after.items():
        if key not in before:
            changes.people_added.append(PersonChange(person.name, key, centre.name, ROLE_NAMES[role]))
            continue
        old_centre, old_person, old_role = before[key]
        if old_centre.id != centre.id:
            changes.people_moved.append(PersonChange(person.name, key, centre.name, f"van {old_centre.name}"))
        elif old_role != role:
            changes.roles_changed.append(
                PersonChange(person.name, key, centre.name, f"{ROLE_NAMES[old_role]} → {ROLE_NAMES[role]}")
            )
        if (old_person.name, old_person.aad_object_id) != (person.name, person.aad_object_id):
            what = [f"naam {old_person.name} → {person.name}"] if old_person.name != person.name else []
            if old_person.aad_object_id != person.aad_object_id:
                what.append(
                    "Azure AD-id "
                    + (
                        "toegevoegd"
                        if not old_person.aad_object_id
                        else "verwijderd"
                        if not person.aad_object_id
                        else "gewijzigd"
                    )
                )
            changes.details_changed.append(PersonChange(person.name, key, centre.name, ", ".join(what)))
    changes.people_removed = [
        PersonChange(person.name, key, centre.name, ROLE_NAMES[role])
        for key, (centre, person, role) in before.items()
        if key not in after
    ]
    for centre in new.centres:
        previous = old_centres.get(centre.id)
        if previous is None:
            continue  # a new centre: named with its scholengroep under "Nieuwe centra"
        parts = []
        if previous.scholengroep != centre.scholengroep:
            parts.append(f"scholengroep {centre.scholengroep or '(geen)'} (was: {previous.scholengroep or 'geen'})")
        added = sorted(_contacts(centre) - _contacts(previous))
        removed = sorted(_contacts(previous) - _contacts(centre))
        if added:
            parts.append("nieuw: " + ", ".join(f"{name} ({role})" for _, role, name in added))
        if removed:
            parts.append("niet meer: " + ", ".join(f"{name} ({role})" for _, role, name in removed))
        if parts:
            changes.contacts_changed.append(f"{centre.name}: {'; '.join(parts)}")
    _school_changes(changes, old_centres, new_centres)
    return changes


def _school_changes(changes: RegistryChanges, old: dict[str, Centre], new: dict[str, Centre]) -> None:
    """Schools that come, go, or change name, type or contacts (matched by centre and school id)."""

    def schools(centres: dict[str, Centre]) -> dict[tuple[str, str], tuple[Centre, School]]:
        return {(c.id, s.id): (c, s) for c in centres.values() for s in c.schools}

    before, after = schools(old), schools(new)
    changes.schools_added = [f"{s.name} ({s.type}, {c.name})" for key, (c, s) in after.items() if key not in before]
    changes.schools_removed = [f"{s.name} ({c.name})" for key, (c, s) in before.items() if key not in after]
    for key, (centre, school) in after.items():
        if key not in before:
            continue
        previous = before[key][1]
        parts = []
        if previous.name != school.name:
            parts.append(f"naam {previous.name} → {school.name}")
        if previous.type != school.type:
            parts.append(f"schooltype {previous.type} → {school.type}")
        added = sorted(p.name for p in school.contacts if p.key not in {q.key for q in previous.contacts})
        removed = sorted(p.name for p in previous.contacts if p.key not in {q.key for q in school.contacts})
        if added:
            parts.append("nieuwe contactpersoon: " + ", ".join(added))
        if removed:
            parts.append("niet meer: " + ", ".join(removed))
        if parts:
            changes.schools_changed.append(f"{school.name} ({centre.name}): {'; '.join(parts)}")


def counts(registry: Registry) -> dict[str, int]:
    return {
        "centres": len(registry.centres),
        "people": sum(len(c.people) for c in registry.centres),
        "contacts": sum(len(c.scholengroep_contacts) for c in registry.centres),
        "schools": sum(len(c.schools) for c in registry.centres),
        "school_contacts": sum(len(s.contacts) for c in registry.centres for s in c.schools),
    }


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _names(items: list[PersonChange], limit: int) -> str:
    shown = [f"{i.name} ({i.centre}{', ' + i.detail if i.detail else ''})" for i in items[:limit]]
    if len(items) > limit:
        shown.append(f"en nog {len(items) - limit}")
    return "; ".join(shown)


def describe(changes: RegistryChanges, limit: int = 10) -> list[tuple[str, str]]:
    """The changes as (what, which) lines in Dutch, for the preview card and the command line."""
    lines: list[tuple[str, str]] = []
    for label, items in (
        ("Nieuwe centra", changes.centres_added),
        ("Verdwenen centra", changes.centres_removed),
        ("Andere naam", changes.centres_renamed),
    ):
        if items:
            extra = [f"en nog {len(items) - limit}"] if len(items) > limit else []
            lines.append((f"{label}: {len(items)}", "; ".join(items[:limit] + extra)))
    for label, people in (
        ("Nieuwe personen", changes.people_added),
        ("Verwijderd", changes.people_removed),
        ("Naar een ander centrum", changes.people_moved),
        ("Andere rol", changes.roles_changed),
        ("Gegevens gewijzigd", changes.details_changed),
    ):
        if people:
            lines.append((f"{label}: {len(people)}", _names(people, limit)))
    if changes.contacts_changed:
        extra = [f"en nog {len(changes.contacts_changed) - limit}"] if len(changes.contacts_changed) > limit else []
        lines.append(
            (
                f"Scholengroep: {_plural(len(changes.contacts_changed), 'centrum', 'centra')}",
                "; ".join(changes.contacts_changed[:limit] + extra),
            )
        )
    for label, items in (
        ("Nieuwe scholen", changes.schools_added),
        ("Verdwenen scholen", changes.schools_removed),
        ("Scholen gewijzigd", changes.schools_changed),
    ):
        if items:
            extra = [f"en nog {len(items) - limit}"] if len(items) > limit else []
            lines.append((f"{label}: {len(items)}", "; ".join(items[:limit] + extra)))
    return lines


def consequences(changes: RegistryChanges) -> list[str]:
    """What people will notice, said before POC+ applies the import."""
    notes = []
    if changes.people_removed or changes.centres_removed:
        notes.append(
            "Wie verwijderd wordt, kan de zelfscan niet meer invullen; wat die persoon al antwoordde, blijft bewaard."
        )
    if changes.people_moved:
        notes.append(
            "Wie naar een ander centrum gaat, begint daar in een open ronde opnieuw; wat die persoon al "
            "antwoordde, blijft bij het vorige centrum."
        )
    if changes.roles_changed:
        notes.append("Een nieuwe directeur vindt het teamoverzicht van het centrum met *team*.")
    if changes.schools_removed:
        notes.append(
            "Een school die verdwijnt, kan de bevraging van de scholen niet meer invullen; wat ze al "
            "antwoordde, blijft bewaard."
        )
    if changes.schools_added:
        notes.append(
            "Nieuwe scholen krijgen geen uitnodiging van een bevraging die al loopt; wel bij de volgende herinnering."
        )
    if changes.people_added:
        notes.append(
            "Nieuwe personen krijgen geen uitnodiging van een ronde die al gelanceerd is: ze beginnen "
            "met *hallo* in de chat met Poolster, of krijgen een bericht bij de volgende herinnering."
        )
    return notes


def summary(registry: Registry) -> str:
    numbers = counts(registry)
    schools = (
        f", {_plural(numbers['schools'], 'school', 'scholen')} ({numbers['school_contacts']} "
        f"{'contactpersoon' if numbers['school_contacts'] == 1 else 'contactpersonen'})"
        if numbers["schools"]
        else ""
    )
    return (
        f"{_plural(numbers['centres'], 'centrum', 'centra')}, {_plural(numbers['people'], 'persoon', 'personen')}"
        f"{schools} en {_plural(numbers['contacts'], 'contactpersoon', 'contactpersonen')} van scholengroepen"
    )


def preview_text(current: Registry, new: Registry, ignored: list[str], limit: int = 25) -> str:
    """The preview as plain text (the command line)."""
    changes = diff(current, new)
    lines = [f"Nieuw register: {summary(new)} (nu: {summary(current)})."]
    if changes.nothing:
        lines.append("Het bestand komt overeen met het huidige register: er verandert niets.")
    lines += [f"{what} — {which}" for what, which in describe(changes, limit)]
    lines += [f"Let op: {note}" for note in consequences(changes)]
    if ignored:
        lines.append(f"Genegeerde kolommen: {', '.join(ignored)}.")
    return "\n".join(lines)


def registry_rows(registry: Registry) -> list[tuple[str, ...]]:
    """The registry as the spreadsheet POC+ imports: a header and one row per person."""
    rows: list[tuple[str, ...]] = [
        (
            "centrum-id",
            "centrum",
            "naam",
            "e-mail",
            "rol",
            "azure-ad-id",
            "scholengroep",
            "school",
            "schooltype",
            "school-id",
        )
    ]
    for centre in registry.centres:
        people = [
            (centre.director, "directeur", None),
            *[(member, "lid", None) for member in centre.members],
            *[(contact, contact.role, None) for contact in centre.scholengroep_contacts],
            *[(contact, "school", school) for school in centre.schools for contact in school.contacts],
        ]
        for person, role, school in people:
            rows.append(
                (
                    centre.id,
                    centre.name,
                    person.name,
                    person.email or "",
                    role,
                    person.aad_object_id or "",
                    centre.scholengroep or "",
                    *((school.name, school.type, school.id) if school else ("", "", "")),
                )
            )
    return rows


def write_registry_xlsx(registry: Registry, path: Path) -> None:
    """The current registry as an XLSX to edit and import again."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Register"
    for row in registry_rows(registry):
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                cell.data_type = "s"  # a name is never a formula
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEFGHIJ", (18, 28, 28, 36, 11, 38, 28, 32, 11, 24), strict=False):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    workbook.save(path)
