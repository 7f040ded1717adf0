"""What a typed message means: tolerant parsing of the Dutch commands users type.

Case, accents, punctuation and small typos are forgiven ("Voortgnag?" is "voortgang"). The
parser only recognises; whether the user may do it is decided by the dialog that handles it.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from cards.admin import new_wave_syntax
from survey.questionnaire import Questionnaire, Unit


@dataclass(frozen=True)
class Command:
    name: str
    # The rest of the message after the command word(s), as typed (trimmed).
    argument: str = ""


# Command name -> the words (normalised) that mean it. Multi-word phrases are matched first.
KEYWORDS: dict[str, tuple[str, ...]] = {
    "help": (
        "help",
        "hulp",
        "helpen",
        "?",
        "wat kan ik doen",
        "commando's",
        "commandos",
        "wat moet ik doen",
        "hoe werkt dit",
        "hoe werkt het",
        "ik snap het niet",
        "snap het niet",
        "ik begrijp het niet",
        "begrijp het niet",
        "ik snap er niets van",
        "ik begrijp er niets van",
        "ik weet het niet",
    ),
    "thanks": (
        "bedankt",
        "dank je",
        "dank u",
        "dankje",
        "dankjewel",
        "dank je wel",
        "dank u wel",
        "merci",
        "thanks",
        "thank you",
        "super bedankt",
        "ok bedankt",
        "oke bedankt",
    ),
    "hello": ("hallo", "hoi", "hey", "hi", "dag", "goedemorgen", "goedemiddag", "goedenavond", "hello", "welkom"),
    "progress": ("voortgang", "hoe ver", "hoever", "waar ben ik"),
    "overview": ("overzicht", "samenvatting", "mijn antwoorden", "antwoorden"),
    "edit": ("wijzig", "wijzigen", "aanpassen", "pas aan", "verander", "veranderen"),
    "pause": (
        "pauze",
        "pauzeer",
        "later",
        "stop",
        "stoppen",
        "ik stop",
        "ik wil stoppen",
        "even stoppen",
        "straks",
        "tot later",
        "genoeg voor vandaag",
        "quit",
        "exit",
    ),
    "resume": ("verder", "ga verder", "doorgaan", "start", "begin", "beginnen", "hervat", "volgende"),
    "glossary": ("wat is", "wat zijn", "wat betekent", "wat betekenen", "betekenis van", "uitleg", "afkorting"),
    "my_data": ("mijn gegevens", "privacy", "wat bewaar je", "welke gegevens"),
    "team": ("team", "teamoverzicht", "samenvatting team", "centrumoverzicht"),
    "centre_answer": ("centrum", "centrumantwoord", "antwoord centrum", "consolideer", "consolidatie"),
    "own_answers": ("eigen", "eigen antwoorden", "mijn eigen antwoorden", "mijn zelfscan", "eigen zelfscan"),
    "report": ("rapport", "verslag", "datagrafiek"),
    "schools": ("scholen", "beeld van de scholen", "bevraging scholen", "wat zeggen de scholen"),
    "new_wave": ("nieuwe ronde", "nieuwe bevraging", "start ronde"),
    "school_wave": ("bevraag de scholen", "bevraag scholen", "scholen bevragen", "bevraging scholen"),
    "status": ("status",),
    "waves": ("rondes", "alle rondes", "lijst rondes", "welke rondes"),
    "remind": ("herinner", "herinnering", "herinneringen", "herinneren"),
    "close_wave": ("sluit ronde", "sluit", "ronde sluiten", "afsluiten"),
    "export": ("export", "exporteer", "download"),
    "results": ("resultaten", "netwerkbeeld", "resultaat"),
    "purge": ("verwijder antwoorden", "wis antwoorden"),
    "registry": ("register", "registratie", "importeer register"),
}
ADMIN_COMMANDS = frozenset(
    {"new_wave", "waves", "status", "remind", "close_wave", "export", "results", "purge", "registry"}
)
DIRECTOR_COMMANDS = frozenset({"team", "centre_answer", "own_answers", "schools"})
# Directors and the scholengroep's contacts ask for a centre's report.
REPORT_COMMANDS = frozenset({"report"})


def normalise(text: str) -> str:
    """Lower case, no accents, single spaces, no punctuation except '?' and digits/letters."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = re.sub(r"[^\w\s?'+/-]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _phrases() -> list[tuple[str, str]]:
    pairs = [(phrase, name) for name, phrases in KEYWORDS.items() for phrase in phrases]
    return sorted(pairs, key=lambda pair: -len(pair[0]))


_PHRASES = _phrases()
_SINGLE_WORDS = {phrase: name for phrase, name in _PHRASES if " " not in phrase and phrase != "?"}


def parse_command(text: str) -> Command | None:
    """The command in a message, or None when it is not one we know."""
    original = re.sub(r"\s+", " ", text or "").strip()
    normalised = normalise(original)
    if not normalised:
        return None
    if normalised.strip("? ") == "":
        return Command("help")
    for phrase, name in _PHRASES:
        if normalised == phrase or normalised.startswith(phrase + " ") or normalised == phrase + "?":
            return Command(name, _argument_after(original, len(phrase.split())))
    first, _, _ = normalised.partition(" ")
    first = first.rstrip("?")
    close = difflib.get_close_matches(first, list(_SINGLE_WORDS), n=1, cutoff=0.8) or [
        word for word in _SINGLE_WORDS if _swapped(first, word)
    ]
    if close:
        return Command(_SINGLE_WORDS[close[0]], _argument_after(original, 1))
    return None


def _swapped(typed: str, word: str) -> bool:
    """Two neighbouring letters typed the other way round ("hlep" for "help")."""
    if len(typed) != len(word) or len(word) < 4 or typed == word:
        return False
    differ = [i for i in range(len(word)) if typed[i] != word[i]]
    return (
        len(differ) == 2
        and differ[1] == differ[0] + 1
        and typed[differ[0]] == word[differ[1]]
        and typed[differ[1]] == word[differ[0]]
    )


def _argument_after(original: str, word_count: int) -> str:
    words = original.split(" ")
    return " ".join(words[word_count:]).strip().rstrip("?").strip()


def find_unit(questionnaire: Questionnaire, reference: str) -> Unit | None:
    """A unit (a bouwsteen, a theme) by number ("3"), id, or (part of) its title, forgiving small typos."""
    wanted = normalise(reference).strip("? ")
    if not wanted:
        return None
    if wanted.isdigit():
        number = int(wanted)
        return next((u for u in questionnaire.units if u.number == number), None)
    titles = {normalise(u.title): u for u in questionnaire.units}
    for title, unit in titles.items():
        if wanted == title or wanted == unit.id or wanted in title:
            return unit
    close = difflib.get_close_matches(wanted, list(titles), n=1, cutoff=0.6)
    return titles[close[0]] if close else None


# The manual's own phrase for an abbreviation it never explains (the self-scan's glossary).
UNEXPLAINED = "De handleiding gebruikt deze afkorting zonder uitleg."


def glossary_examples(questionnaire: Questionnaire) -> tuple[list[str], list[str]]:
    """What one can ask about, for examples: the terms (lower case) and the explained abbreviations, the
    ones the questionnaire's texts use most first."""
    texts = " ".join(
        text
        for unit in questionnaire.units
        for text in (unit.definition, *unit.rclbk, *unit.reflection, *unit.descriptions.values())
    )
    texts += " " + " ".join(question.text for question in (*questionnaire.questions, *questionnaire.final.questions))

    def used(word: str) -> int:
        return -len(re.findall(rf"\b{re.escape(word)}", texts, flags=re.IGNORECASE))

    # Terms are words ("hefboom"), not short lower-case abbreviations ("lln"); an abbreviation in the
    # questionnaire's own title ("CLB") is no example of something to ask.
    terms = sorted(
        (e.abbreviation for e in questionnaire.glossary if e.abbreviation.islower() and len(e.abbreviation) > 5),
        key=used,
    )
    abbreviations = sorted(
        (
            e.abbreviation
            for e in questionnaire.glossary
            if e.abbreviation.isupper()
            and e.abbreviation.isalpha()
            and len(e.abbreviation) > 2
            and e.abbreviation not in questionnaire.title
            and not e.meaning.startswith(UNEXPLAINED)
        ),
        key=used,
    )
    return terms, abbreviations


def find_glossary(questionnaire: Questionnaire, reference: str):
    """A glossary entry by abbreviation ("LARS") or term, with article and plural ("een hefboom", "hefbomen")."""
    words = normalise(reference).strip("? ")
    words = re.sub(r"^(een|de|het|die|dat) ", "", words)
    candidates = {words.upper().replace(" ", "")} | {form.upper() for form in _singulars(words)}
    for entry in questionnaire.glossary:
        if normalise(entry.abbreviation).upper().replace(" ", "") in candidates:
            return entry
    return None


def _singulars(word: str) -> set[str]:
    """Dutch singulars a plural may come from: knelpunten -> knelpunt, hefbomen -> hefboom, stadia -> stadium."""
    forms = set()
    if word.endswith("en"):
        stem = word[:-2]
        forms.add(stem)
        # An open syllable lost its double vowel: hefbom(en) -> hefboom, bouwsten(en) -> bouwsteen.
        if len(stem) > 2 and stem[-2] in "aeou" and stem[-3] not in "aeiou":
            forms.add(stem[:-1] + stem[-2] + stem[-1])
    if word.endswith("s"):
        forms.add(word[:-1])
    if word.endswith("a"):
        forms.add(word[:-1] + "um")
    return forms


@dataclass(frozen=True)
class NewWaveRequest:
    name: str
    deadline: date
    centre_ids: tuple[str, ...]


class CommandError(ValueError):
    """A command was recognised but its argument is not usable; the message is Dutch."""


_NEW_WAVE = re.compile(
    r"^(?P<name>.+?)\s+tot\s+(?P<day>\d{1,2})[-/.](?P<month>\d{1,2})[-/.](?P<year>\d{4})"
    r"(?:\s+voor\s+(?P<centres>.+))?$",
    re.IGNORECASE,
)


def parse_new_wave(argument: str, today: date, command_words: tuple[str, ...] = ()) -> NewWaveRequest:
    """`[naam] tot dd-mm-jjjj [voor centrum-a, centrum-b]`; `today` dates the example in the message,
    `command_words` (the questionnaires' own, *scholen*) are named in it too."""
    match = _NEW_WAVE.match(argument.strip())
    if not match:
        raise CommandError(new_wave_syntax(today, command_words))
    try:
        deadline = date(int(match["year"]), int(match["month"]), int(match["day"]))
    except ValueError as error:
        raise CommandError(f"‘{match['day']}-{match['month']}-{match['year']}’ is geen bestaande datum.") from error
    centres = tuple(part.strip().lower() for part in re.split(r"[,;]|\s+en\s+", match["centres"] or "") if part.strip())
    name = match["name"].strip().strip("'\"‘’“”")
    if not name or len(name) > 80:
        raise CommandError("Geef de ronde een naam van hoogstens 80 tekens.")
    return NewWaveRequest(name=name, deadline=deadline, centre_ids=centres)


def export_scope(argument: str) -> tuple[bool, str]:
    """`export [alles] [ronde]`: whether everything (also unsubmitted answers) is asked, and the wave."""
    first, _, rest = argument.strip().partition(" ")
    if normalise(first) in ("alles", "alle", "volledig"):
        return True, rest.strip()
    return False, argument.strip()
