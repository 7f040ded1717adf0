"""The registry of centres: who belongs to which centre, and who is its director.

Stored as a YAML file in the data folder (see docs/registry.md); POC+ keeps it as a spreadsheet and
imports it (survey/registry_import.py), which writes the YAML atomically. It is validated at
start-up; an error names the file and the line, so a typo in a long list of e-mails is easy to
find. A missing or empty registry is refused: a bot that knows nobody would tell everyone they
are not registered. People are matched by Azure AD object id or by e-mail/UPN, case-insensitively.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from functools import cached_property
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

Role = Literal["member", "director"]
# The scholengroep's people who receive the centre's results: algemeen directeur, coördinerend
# directeur, directeur-coördinator.
ScholengroepRole = Literal["AD", "CODI", "DICO"]
# The kinds of school a CLB works with: basis, secundair, buitengewoon basis, buitengewoon secundair.
SchoolType = Literal["bao", "so", "bubao", "buso"]
SCHOOL_TYPES: tuple[SchoolType, ...] = ("bao", "so", "bubao", "buso")
SCHOOL_TYPE_LABELS: dict[str, str] = {
    "bao": "basisonderwijs",
    "so": "secundair onderwijs",
    "bubao": "buitengewoon basisonderwijs",
    "buso": "buitengewoon secundair onderwijs",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Person(_Strict):
    name: str = Field(min_length=1)
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+$")
    aad_object_id: str | None = None

    @model_validator(mode="after")
    def _identifiable(self) -> Person:
        if not self.email and not self.aad_object_id:
            raise ValueError("a person needs an email or an aad_object_id")
        return self

    @property
    def key(self) -> str:
        """The stable id under which this person's answers are stored."""
        return (self.email or self.aad_object_id or "").lower()


class ScholengroepContact(Person):
    role: ScholengroepRole


class School(_Strict):
    """A school the centre works with; its contact persons answer the schools' survey for it."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str = Field(min_length=1)
    type: SchoolType
    contacts: tuple[Person, ...] = Field(min_length=1)


class Centre(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str = Field(min_length=1)
    director: Person
    members: tuple[Person, ...] = ()
    # The scholengroep the centre reports to, and its contacts. They receive the centre's summary
    # and report, never a member's answers; they do not answer and are not part of `people`.
    scholengroep: str | None = None
    scholengroep_contacts: tuple[ScholengroepContact, ...] = ()
    # The schools the centre works with. Their contacts answer only the schools' survey.
    schools: tuple[School, ...] = ()

    @property
    def people(self) -> tuple[Person, ...]:
        return (self.director, *self.members)

    def school(self, school_id: str) -> School | None:
        return next((s for s in self.schools if s.id == school_id), None)

    @model_validator(mode="after")
    def _unique_schools(self) -> Centre:
        ids = [school.id for school in self.schools]
        if len(set(ids)) != len(ids):
            raise ValueError(f"centre {self.id}: school ids must be unique")
        return self


class SchoolContact(_Strict):
    centre: Centre
    school: School
    person: Person


class Membership(_Strict):
    centre: Centre
    person: Person
    role: Role


class Registry(_Strict):
    centres: tuple[Centre, ...] = ()

    @model_validator(mode="after")
    def _unique(self) -> Registry:
        seen_centres: set[str] = set()
        seen_people: dict[str, str] = {}
        for centre in self.centres:
            if centre.id in seen_centres:
                raise ValueError(f"centre id {centre.id!r} appears twice")
            seen_centres.add(centre.id)
            for person in centre.people:
                for identity in filter(None, (person.email, person.aad_object_id)):
                    identity = identity.lower()
                    if identity in seen_people:
                        raise ValueError(
                            f"{identity} appears twice (in {seen_people[identity]} and {centre.id}); "
                            "a person belongs to one centre"
                        )
                    seen_people[identity] = centre.id
        # A school contact answers for one school, and not also in a centre's team (the import says the
        # same with row numbers; a hand-edited file is held to it here).
        seen_contacts: dict[str, str] = {}
        for centre in self.centres:
            for school in centre.schools:
                for person in school.contacts:
                    for identity in {i.lower() for i in (person.email, person.aad_object_id) if i}:
                        if identity in seen_people:
                            raise ValueError(
                                f"{identity} is a contact of school {school.id} and in the team of "
                                f"{seen_people[identity]}; a school's contact is someone of the school"
                            )
                        if seen_contacts.setdefault(identity, school.id) != school.id:
                            raise ValueError(
                                f"{identity} is a contact of schools {seen_contacts[identity]} and {school.id}; "
                                "a contact answers for one school"
                            )
        return self

    @cached_property
    def _by_identity(self) -> dict[str, Membership]:
        index: dict[str, Membership] = {}
        for centre in self.centres:
            for person in centre.people:
                role: Role = "director" if person is centre.director else "member"
                for identity in filter(None, (person.email, person.aad_object_id)):
                    index[identity.lower()] = Membership(centre=centre, person=person, role=role)
        return index

    def find(self, *identities: str | None) -> Membership | None:
        """The membership of the first identity (AAD object id, e-mail or UPN) that is known."""
        for identity in identities:
            if identity and (membership := self._by_identity.get(identity.lower())):
                return membership
        return None

    @cached_property
    def _contacts_by_identity(self) -> dict[str, tuple[tuple[Centre, ScholengroepContact], ...]]:
        index: dict[str, list[tuple[Centre, ScholengroepContact]]] = {}
        for centre in self.centres:
            for contact in centre.scholengroep_contacts:
                for identity in {i.lower() for i in (contact.email, contact.aad_object_id) if i}:
                    index.setdefault(identity, []).append((centre, contact))
        return {identity: tuple(pairs) for identity, pairs in index.items()}

    def contact_centres(self, *identities: str | None) -> tuple[tuple[Centre, ScholengroepContact], ...]:
        """The centres whose scholengroep contact this person (AAD object id, e-mail or UPN) is."""
        found: dict[str, tuple[Centre, ScholengroepContact]] = {}
        for identity in identities:
            for centre, contact in self._contacts_by_identity.get((identity or "").lower(), ()):
                found.setdefault(centre.id, (centre, contact))
        return tuple(found.values())

    @cached_property
    def _school_contacts_by_identity(self) -> dict[str, SchoolContact]:
        index: dict[str, SchoolContact] = {}
        for centre in self.centres:
            for school in centre.schools:
                for person in school.contacts:
                    for identity in filter(None, (person.email, person.aad_object_id)):
                        index.setdefault(identity.lower(), SchoolContact(centre=centre, school=school, person=person))
        return index

    def school_contact(self, *identities: str | None) -> SchoolContact | None:
        """The school this person (AAD object id, e-mail or UPN) answers the schools' survey for."""
        for identity in identities:
            if identity and (found := self._school_contacts_by_identity.get(identity.lower())):
                return found
        return None

    def centre(self, centre_id: str) -> Centre | None:
        return next((c for c in self.centres if c.id == centre_id), None)

    def person(self, key: str) -> Membership | None:
        return self._by_identity.get(key.lower())


# libyaml's loader when installed (10x faster on a registry of thousands of people).
FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class RegistryError(ValueError):
    pass


def _line_of(node: yaml.Node, path: tuple) -> int:
    """Follow a pydantic error location through the YAML node tree to a 1-based line number."""
    for part in path:
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            child = node.value[part]
        else:
            child = None
        if child is None:
            break
        node = child
    return node.start_mark.line + 1


def _parse(path: Path, text: str) -> object:
    """The YAML as Python data, from a JSON copy made the last time this very text was parsed.

    Parsing YAML takes about a second for ten thousand people, JSON a few milliseconds; the copy
    (`centres.yaml.parsed.json`) carries the text's hash, so any change to the file is parsed anew.
    """
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    copy = path.with_name(path.name + ".parsed.json")
    try:
        cached = json.loads(copy.read_text(encoding="utf-8"))
        if cached.get("sha256") == digest:
            return cached["data"]
    except (OSError, ValueError, KeyError, AttributeError):
        pass  # no usable copy: parse the YAML
    try:
        raw = yaml.load(text, Loader=FAST_LOADER)
    except yaml.YAMLError as error:
        raise RegistryError(f"{path}: geen geldige YAML: {error}") from error
    try:
        document = json.dumps({"sha256": digest, "data": raw})
        temporary = copy.with_name(f"{copy.name}.tmp-{os.getpid()}")
        temporary.write_text(document, encoding="utf-8")
        os.replace(temporary, copy)
    except (OSError, TypeError):
        pass  # a read-only data folder, or values JSON cannot hold (dates): parse the YAML every time
    return raw


NO_REGISTRY = (
    "Het register van centra ({path}) {what}. Zonder register weet Poolster niet wie bij welk centrum "
    "hoort en zou iedereen horen dat hij niet geregistreerd is. Importeer het register met "
    "`python -m app register import BESTAND.xlsx --toepassen` of zet een centres.yaml in de datamap "
    "(zie docs/registry.md)."
)


def load_registry(path: Path, *, required: bool = True) -> Registry:
    """Read the registry. A missing or empty one is refused, unless not `required` (an import
    into a fresh data folder): then it is an empty registry."""
    if not path.exists():
        if required:
            raise RegistryError(NO_REGISTRY.format(path=path, what="ontbreekt"))
        return Registry()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "geen UTF-8-tekst"
        raise RegistryError(f"Het register van centra ({path}) kan ik niet lezen: {reason}.") from error
    raw = _parse(path, text)
    if raw is None or (isinstance(raw, dict) and not raw.get("centres")):
        if required:
            raise RegistryError(NO_REGISTRY.format(path=path, what="is leeg (er staan geen centra in)"))
        return Registry()
    try:
        return Registry.model_validate(raw)
    except ValidationError as error:
        # Only now parse again, keeping positions, to name the line of each problem.
        root = yaml.compose(text)
        problems = []
        for item in error.errors():
            line = _line_of(root, tuple(item["loc"])) if root is not None else 1
            where = ".".join(str(part) for part in item["loc"]) or "(root)"
            problems.append(f"{path}:{line}: {where}: {item['msg']}")
        raise RegistryError("Het register van centra is niet geldig:\n" + "\n".join(problems)) from error


def registry_document(registry: Registry) -> dict:
    """The registry as the YAML file holds it (no empty fields)."""
    return registry.model_dump(mode="json", exclude_none=True, exclude_defaults=True)


def save_registry(path: Path, registry: Registry, comment: str = "") -> None:
    """Write the registry atomically: a temporary file, flushed to disk, replaces
    the old one in one step, so a crash leaves either the old or the new registry, never half of
    one. The text is proven to read back as this registry first. The previous file is kept next to
    it as `centres.yaml.vorige`."""
    header = "".join(f"# {line}\n" for line in comment.splitlines())
    text = header + yaml.safe_dump(registry_document(registry), allow_unicode=True, sort_keys=False, width=120)
    if Registry.model_validate(yaml.load(text, Loader=FAST_LOADER)) != registry:
        raise RegistryError("Het register kon niet correct weggeschreven worden; er is niets gewijzigd.")
    temporary = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    try:
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            shutil.copy2(path, path.with_name(path.name + ".vorige"))
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


class RegistryFile:
    """The registry file of a running bot: loaded at start, and again whenever it changes on disk
    (an import from the command line, or by another instance on a shared data folder)."""

    def __init__(self, path: Path):
        self.path = path
        self._seen: tuple | None = None

    def _signature(self) -> tuple | None:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return None
        return stat.st_mtime_ns, stat.st_size, stat.st_ino

    def load(self) -> Registry:
        # Remembered before reading: a damaged file is reported once, not every minute.
        self._seen = self._signature()
        return load_registry(self.path)

    def changed(self) -> bool:
        return self._signature() != self._seen

    def save(self, registry: Registry, comment: str = "") -> None:
        save_registry(self.path, registry, comment)
        self._seen = self._signature()
