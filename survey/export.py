"""A wave's results as tables with stable, typed, Dutch columns, and writers for CSV and XLSX.

The columns come from the questionnaire, never from the answers, so a column does not disappear
because nobody chose an option (every option of a multi-select is its own yes/no column) and two
waves of the same questionnaire have the same columns in the same order. Every column carries its
own explanation: the XLSX gets a sheet "Uitleg" with it, the zip of CSVs an `uitleg.csv`.

What members typed is data, never a formula: a text that Excel would read as one (starting with
=, +, -, @, a tab or a carriage return) is stored as text in the XLSX and gets a leading quote in
the CSV, the usual defence against formula injection.
"""

from __future__ import annotations

import csv
import io
import random
import re
import time
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from survey.answers import QuestionAnswer, Response, intended_level
from survey.questionnaire import Question, Questionnaire, Scale, Statement, Unit
from survey.registry import SCHOOL_TYPE_LABELS, Registry
from survey.school_view import MIN_SCHOOLS, shown_types
from survey.waves import TIMEZONE, Wave

# What Excel, LibreOffice and Google Sheets start a formula with.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP_CONTENT_TYPE = "application/zip"
CODEBOOK_SHEET = "Uitleg"
DATE_FORMAT = "dd-mm-yyyy hh:mm"

YES_NO = "ja/nee (in Excel: WAAR/ONWAAR); leeg: vraag niet beantwoord"
YES_NO_ALWAYS = "ja/nee (in Excel: WAAR/ONWAAR)"
TEXT = "tekst"
# The school type written where a centre has too few schools of the real one in an export.
OTHER_TYPE = "andere"
MOMENT = "datum en tijd (Belgische tijd); leeg: niet verzonden"


@dataclass(frozen=True)
class Column:
    header: str
    meaning: str
    values: str


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    rows: list[tuple]
    # How many answers (a centre's or a member's) the rows hold: several rows each in long format.
    responses: int = 0

    @property
    def header(self) -> tuple[str, ...]:
        return tuple(column.header for column in self.columns)


def _local(moment: datetime | None) -> datetime | None:
    """Belgian wall-clock time without a zone: spreadsheets have no time zones."""
    return moment.astimezone(TIMEZONE).replace(tzinfo=None) if moment else None


# A column and how to read its cell from a response and a unit id (None for a final question).
Cell = Callable[[Response, str | None], object]
AnswerColumn = tuple[Column, Cell]


def _given(response: Response, unit_id: str | None, question: Question) -> QuestionAnswer | None:
    return response.answer(unit_id, question.id) if unit_id else response.final_answer(question.id)


def _asked(q: Questionnaire, question: Question) -> str:
    asked = question.text.replace("{unit}", f"deze {q.words.unit}").strip()
    return asked if asked.endswith(("?", ".", ":", ")")) else asked + " …"  # the sentence goes on in its options


def _option_cell(question: Question, option_id: str) -> Cell:
    return lambda r, u: None if (a := _given(r, u, question)) is None else option_id in a.choices


def _slot_cell(q: Questionnaire, question: Question, n: int) -> Cell:
    return lambda r, u: (
        _unit_title(q, a.choices[n - 1]) if (a := _given(r, u, question)) and len(a.choices) >= n else None
    )


def _rating_cell(question: Question, scale: Scale, statement_id: str) -> Cell:
    def rating(r: Response, u: str | None) -> str | None:
        answer = _given(r, u, question)
        level = answer.ratings.get(statement_id) if answer else None
        return scale.level(level).label if level else None

    return rating


def question_columns(
    q: Questionnaire, question: Question, statements: tuple[Statement, ...] = ()
) -> list[AnswerColumn]:
    """A question's columns, by its type; an agreement question gets one per statement given."""
    label, asked = question.short_label, _asked(q, question)
    columns: list[AnswerColumn] = []
    if question.type == "multiple_choice":
        for option in question.options:
            full = option.label.rstrip(":. ")
            # The header without the examples in brackets; the codebook has the whole option.
            columns.append(
                (
                    Column(f"{label}: {full.split(' (')[0]}", f"{asked} Gekozen: ‘{full}’.", YES_NO),
                    _option_cell(question, option.id),
                )
            )
    elif question.type == "single_choice":
        columns.append(
            (
                Column(label, asked, "een van: " + "; ".join(o.label for o in question.options)),
                lambda r, u: _label(question, a.choices[0] if (a := _given(r, u, question)) and a.choices else None),
            )
        )
        scale = q.scale_of(question)
        if question.summary == "level" and scale is not None:
            columns.append(
                _rank_column(
                    f"{label} ({1}-{len(scale.levels)})",
                    f"{label} als getal, om te rekenen.",
                    q,
                    question,
                    lambda r, u: r.choice(u or "", question.id),
                )
            )
        if question.summary == "target_level":
            level_question = q.question(question.relative_to or "")
            target_scale = q.scale_of(level_question)
            assert target_scale is not None  # checked at load
            name = f"Gewenst {target_scale.name}"

            def goal(r: Response, u: str | None) -> str | None:
                return intended_level(question, r, u) if u else None

            columns.append(
                (
                    Column(
                        name,
                        f"Het {target_scale.name} waar naartoe gewerkt wordt (bij een antwoord zonder "
                        f"doel: het {target_scale.name} van ‘{level_question.short_label}’).",
                        "een van: " + "; ".join(level.label for level in target_scale.levels),
                    ),
                    lambda r, u: target_scale.level(level).label if (level := goal(r, u)) else None,
                )
            )
            columns.append(
                _rank_column(
                    f"{name} ({1}-{len(target_scale.levels)})",
                    f"{name} als getal, om te rekenen.",
                    q,
                    level_question,
                    goal,
                )
            )
    elif question.type == "free_text":
        columns.append(
            (Column(label, asked, TEXT), lambda r, u: (a.text or None) if (a := _given(r, u, question)) else None)
        )
    elif question.type == "ordered_choice":
        units = f"de titel van een {q.words.unit} (leeg: niet gekozen)"
        for n in range(1, question.max_choices + 1):
            columns.append(
                (
                    Column(question.slot(n), f"{asked} Plaats {n}.", units),
                    _slot_cell(q, question, n),
                )
            )
        if question.none_label:
            columns.append(
                (
                    Column(f"{label}: {question.none_short_label}", question.none_label.strip(), YES_NO),
                    lambda r, u: None if (a := _given(r, u, question)) is None else a.declined,
                )
            )
    elif question.type == "agreement":
        agreement_scale = q.scale_of(question)
        assert agreement_scale is not None  # checked at load
        values = "een van: " + "; ".join(
            level.label for level in (*agreement_scale.levels, *filter(None, [agreement_scale.not_applicable]))
        )
        for statement in statements:
            columns.append(
                (
                    Column(
                        f"Stelling {statement.number}: {statement.short_label}",
                        f"Stelling {statement.number} ({agreement_scale.name}): {statement.text}",
                        values + "; leeg: niet beantwoord",
                    ),
                    _rating_cell(question, agreement_scale, statement.id),
                )
            )
    if any(option.needs_text for option in question.options):
        columns.append(
            (
                Column(f"{label}: anders, namelijk", f"{label}: de omschrijving bij ‘anders’.", TEXT),
                lambda r, u: (a.other_text or None) if (a := _given(r, u, question)) else None,
            )
        )
    if question.explanation_label:
        columns.append(
            (
                Column(
                    f"{label}: {question.explanation_label.lower()}",
                    f"{label}: de {question.explanation_label.lower()} die erbij gegeven werd.",
                    TEXT,
                ),
                lambda r, u: (a.explanation or None) if (a := _given(r, u, question)) else None,
            )
        )
    return columns


def _rank_column(
    header: str,
    meaning: str,
    q: Questionnaire,
    level_question: Question,
    level_of: Callable[[Response, str | None], str | None],
) -> AnswerColumn:
    scale = q.scale_of(level_question)
    assert scale is not None
    values = "geheel getal: " + ", ".join(f"{n} {level.label.lower()}" for n, level in enumerate(scale.levels, 1))
    return (
        Column(header, meaning, values),
        lambda r, u: scale.rank(level) + 1 if (level := level_of(r, u)) in scale.level_ids else None,
    )


def _label(question: Question, option_id: str | None) -> str | None:
    option = question.option(option_id) if option_id else None
    return option.label if option else None


def _unit_title(q: Questionnaire, unit_id: str) -> str:
    unit = q.unit(unit_id)
    return unit.title if unit else unit_id


def unit_columns(q: Questionnaire) -> list[AnswerColumn]:
    """Every answer column of a unit's row, page by page (an agreement question: every statement)."""
    return [
        column
        for page in q.pages
        for question in q.page_questions(page.id)
        for column in question_columns(q, question, tuple(s for _, s in q.statements()))
    ]


def _bound(column: AnswerColumn, unit: Unit, prefix: str) -> AnswerColumn:
    """A unit question's column for one unit, in a row that holds every unit."""
    (header, meaning, values), read = (column[0].header, column[0].meaning, column[0].values), column[1]
    return (Column(prefix + header, f"{prefix}{meaning}", values), lambda r, _u: read(r, unit.id))


def wide_columns(q: Questionnaire) -> list[AnswerColumn]:
    """Every answer of a respondent in one row: per unit per question, then the final questions."""
    columns = []
    for unit in q.units:
        for page in q.pages:
            for question in q.page_questions(page.id):
                # A statement's number names it already; other questions say which unit they are about.
                prefix = "" if question.type == "agreement" else f"{q.words.unit.capitalize()} {unit.number}: "
                columns += [_bound(column, unit, prefix) for column in question_columns(q, question, unit.statements)]
    return columns + final_columns(q)


def final_columns(q: Questionnaire) -> list[AnswerColumn]:
    return [column for question in q.final.questions for column in question_columns(q, question)]


CENTRES_TABLE = "Centra"
FINAL_TABLE = "Slotvragen"
MEMBERS_TABLE = "Leden"
SCHOOLS_TABLE = "Scholen"

WAVE_COLUMNS = (
    Column("Ronde", "De naam van de ronde (bevraging).", TEXT),
    Column("Ronde-id", "De vaste code van de ronde; dezelfde in elke export.", TEXT),
    Column("Centrum-id", "De vaste code van het centrum uit het register.", TEXT),
    Column("Centrum", "De naam van het centrum.", TEXT),
)
PERSON_COLUMNS = (
    Column("Respondent", "Het e-mailadres (of Azure AD-id) van het lid uit het register.", TEXT),
    Column("Naam", "De naam van het lid.", TEXT),
)
TIME_COLUMNS = (
    Column("Verzonden op", "Wanneer het antwoord definitief verzonden werd.", MOMENT),
    Column(
        "Laatst gewijzigd op",
        "Wanneer er voor het laatst iets aan dit antwoord veranderde.",
        "datum en tijd (Belgische tijd)",
    ),
)
SCHOOL_COLUMNS = (
    Column(
        "Nr.",
        "Een volgnummer per school, na een willekeurige volgorde die bij elke export opnieuw getrokken "
        "wordt: het hangt niet af van de naam of de code van de school en is in een volgende export "
        "anders. Het bestand noemt geen school, maar houdt de antwoorden per school: geef het niet door.",
        "geheel getal",
    ),
    Column(
        "Schooltype",
        f"Het soort school uit het register, alleen waar het centrum in dit bestand minstens {MIN_SCHOOLS} "
        f"scholen van die soort heeft en zijn overige scholen samen geen groep van minder dan {MIN_SCHOOLS} "
        f"vormen; anders ‘{OTHER_TYPE}’, zodat centrum en schooltype samen geen kleine soort aanwijzen.",
        "een van: " + "; ".join(SCHOOL_TYPE_LABELS.values()) + f"; {OTHER_TYPE}; leeg: niet (meer) in het register",
    ),
    Column("Verzonden", "Of de school haar antwoord definitief verzond.", YES_NO_ALWAYS),
)


def _unit_columns_head(q: Questionnaire) -> tuple[Column, ...]:
    word = q.words.unit.capitalize()
    return (
        Column(f"{word} nr.", f"Het nummer van de {q.words.unit} in de vragenlijst.", "geheel getal"),
        Column(word, f"De titel van de {q.words.unit}.", TEXT),
    )


def build_tables(
    q: Questionnaire,
    registry: Registry,
    wave: Wave,
    centre_answers: list[Response],
    member_responses: list[Response],
    *,
    everything: bool = False,
) -> list[Table]:
    """The export's tables, with the columns of the wave's questionnaire version. Only submitted
    answers unless `everything` (then drafts too, with an empty "Verzonden op"). A schools' wave
    gives one table, a row per school; a team wave the centres' answers and the members', a row
    per unit, and the final questions apart."""
    if not everything:
        centre_answers = [r for r in centre_answers if r.is_submitted]
        member_responses = [r for r in member_responses if r.is_submitted]
    if q.respondents == "schools":
        return [_schools_table(q, registry, wave, [r for r in member_responses if r.kind == "school"])]
    answers = unit_columns(q)
    names = {c.id: c.name for c in registry.centres}

    def long_rows(responses: list[Response], with_person: bool) -> list[tuple]:
        rows = []
        for response in sorted(responses, key=lambda r: (r.centre_id, r.respondent_id)):
            head = (wave.name, wave.id, response.centre_id, names.get(response.centre_id, ""))
            person = (response.respondent_id, response.respondent_name) if with_person else ()
            times = (_local(response.submitted_at), _local(response.updated_at))
            for unit in q.units:
                rows.append(
                    (*head, *person, unit.number, unit.title, *[read(response, unit.id) for _, read in answers], *times)
                )
        return rows

    finals = final_columns(q)
    final_head = (
        *WAVE_COLUMNS,
        Column(
            "Soort",
            "‘centrum’: het antwoord van het centrum (door de directeur); ‘lid’: het antwoord van één lid.",
            "centrum of lid",
        ),
        Column(
            "Respondent",
            "Bij een lid: het e-mailadres (of Azure AD-id) uit het register; bij het "
            "centrum: wie het centrumantwoord gaf.",
            TEXT,
        ),
        Column("Naam", "De naam van wie antwoordde.", TEXT),
        TIME_COLUMNS[0],
    )

    def final_row(response: Response) -> tuple:
        return (
            wave.name,
            wave.id,
            response.centre_id,
            names.get(response.centre_id, ""),
            "centrum" if response.kind == "centre" else "lid",
            response.respondent_id,
            response.respondent_name,
            _local(response.submitted_at),
            *[read(response, None) for _, read in finals],
        )

    answered_final = [r for r in sorted(centre_answers, key=lambda r: r.centre_id) if r.closing] + [
        r for r in sorted(member_responses, key=lambda r: (r.centre_id, r.respondent_id)) if r.closing
    ]
    units = _unit_columns_head(q)
    long_columns = (*WAVE_COLUMNS, *units, *[column for column, _ in answers], *TIME_COLUMNS)
    member_columns = (*WAVE_COLUMNS, *PERSON_COLUMNS, *units, *[column for column, _ in answers], *TIME_COLUMNS)
    return [
        Table(CENTRES_TABLE, long_columns, long_rows(centre_answers, with_person=False), len(centre_answers)),
        Table(
            FINAL_TABLE,
            (*final_head, *[column for column, _ in finals]),
            [final_row(r) for r in answered_final],
            len(answered_final),
        ),
        Table(MEMBERS_TABLE, member_columns, long_rows(member_responses, with_person=True), len(member_responses)),
    ]


def _schools_table(q: Questionnaire, registry: Registry, wave: Wave, responses: list[Response]) -> Table:
    """One row per school: its CLB and school type ("andere" where the centre has too few schools of
    that type here), never its name or id. The rows are shuffled anew for every export (per centre)
    and numbered after shuffling, so neither order nor number can be recomputed from the registry."""
    centres = {c.id: c for c in registry.centres}

    def raw_type(response: Response) -> str:
        centre = centres.get(response.centre_id)
        school = centre.school(response.respondent_id) if centre else None
        return school.type if school else ""

    # A school type is written only where the centre has enough schools of it in this export (the
    # schools' view's rule); else "andere", so that a centre and a type cannot name one school.
    per_centre: dict[str, Counter[str]] = {}
    for r in responses:
        kind = raw_type(r)
        if kind:
            per_centre.setdefault(r.centre_id, Counter())[kind] += 1
    named = {centre_id: set(shown_types(dict(kinds))) for centre_id, kinds in per_centre.items()}

    def school_type(response: Response) -> str:
        kind = raw_type(response)
        if not kind:
            return ""
        return SCHOOL_TYPE_LABELS[kind] if kind in named.get(response.centre_id, set()) else OTHER_TYPE

    answers = wide_columns(q)
    # Drawn anew for every export, then grouped per centre: the order tells nothing about a school.
    ordered = list(responses)
    random.SystemRandom().shuffle(ordered)
    ordered.sort(key=lambda r: r.centre_id)
    rows = [
        (
            n,
            wave.name,
            wave.id,
            r.centre_id,
            centres[r.centre_id].name if r.centre_id in centres else "",
            school_type(r),
            r.is_submitted,
            *[read(r, None) for _, read in answers],
        )
        for n, r in enumerate(ordered, start=1)
    ]
    columns = (SCHOOL_COLUMNS[0], *WAVE_COLUMNS, *SCHOOL_COLUMNS[1:], *[column for column, _ in answers])
    return Table(SCHOOLS_TABLE, columns, rows, len(responses))


def codebook(tables: list[Table]) -> Table:
    """What every column of every table means: the sheet "Uitleg"."""
    columns = (
        Column("Blad", "Het blad (of CSV-bestand) waarin de kolom staat.", TEXT),
        Column("Kolom", "De kop van de kolom.", TEXT),
        Column("Betekenis", "Wat de kolom bevat.", TEXT),
        Column("Waarden", "Welke waarden erin kunnen staan.", TEXT),
    )
    rows = [(table.name, column.header, column.meaning, column.values) for table in tables for column in table.columns]
    return Table(CODEBOOK_SHEET, columns, rows)


def export_file_name(wave_id: str, stamp: str, kind: str) -> str:
    """`<wave>-<yyyymmdd-hhmmss>.xlsx` or `...-csv.zip`: the wave can be told from the name alone."""
    return f"{wave_id}-{stamp}.xlsx" if kind == "xlsx" else f"{wave_id}-{stamp}-csv.zip"


_EXPORT_NAME = re.compile(r"^(?P<wave>.+)-\d{8}-\d{6}(?:\.xlsx|-csv\.zip)$")


def _export_files(folder: Path) -> list[tuple[str, Path]]:
    if not folder.is_dir():
        return []
    return [
        (match["wave"], path)
        for path in folder.iterdir()
        if path.is_file() and (match := _EXPORT_NAME.match(path.name))
    ]


def remove_wave_exports(folder: Path, wave_id: str) -> int:
    """Delete a wave's export files (when its member answers are purged); returns how many."""
    removed = 0
    for wave, path in _export_files(folder):
        if wave == wave_id:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def remove_expired_exports(folder: Path, max_age_seconds: float, now: float | None = None) -> int:
    """Delete export files older than their links' lifetime; returns how many."""
    now = time.time() if now is None else now
    removed = 0
    for _, path in _export_files(folder):
        try:
            if path.stat().st_mtime + max_age_seconds < now:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            pass  # removed by a purge meanwhile
    return removed


def _csv_cell(value: object) -> object:
    if value is None:
        return ""
    if value is True or value is False:
        return "ja" if value else "nee"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv_zip(tables: list[Table], path: Path) -> None:
    """One CSV per table plus uitleg.csv (UTF-8 with BOM so Excel reads the accents), in one zip."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for table in [*tables, codebook(tables)]:
            buffer = io.StringIO()
            writer = csv.writer(buffer, delimiter=";")
            writer.writerow([_csv_cell(cell) for cell in table.header])
            writer.writerows([_csv_cell(cell) for cell in row] for row in table.rows)
            archive.writestr(f"{table.name.lower()}.csv", "\ufeff" + buffer.getvalue())


def write_xlsx(tables: list[Table], path: Path) -> None:
    # Only an export needs openpyxl: keeps 0.1 s off every start. Write-only mode streams the rows.
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for table in [*tables, codebook(tables)]:
        sheet = workbook.create_sheet(table.name)
        for column, header in enumerate(table.header, start=1):
            # As wide as the header or the first rows' texts need, within reason.
            longest = max(
                [
                    len(header),
                    *(len(str(row[column - 1])) for row in table.rows[:50] if isinstance(row[column - 1], str)),
                ]
            )
            sheet.column_dimensions[get_column_letter(column)].width = min(60, max(10, longest + 2))
        sheet.freeze_panes = "A2"

        def cell(value: object, *, header: bool = False) -> object:
            text_like_formula = isinstance(value, str) and value.startswith(FORMULA_STARTS)
            if not (header or text_like_formula or isinstance(value, datetime)):
                return value  # plain values stream fastest
            typed = WriteOnlyCell(sheet, value)  # noqa: B023 - called within this iteration only
            if text_like_formula:
                # openpyxl would write "=..." as a live formula: force text, and keep it text when
                # someone edits the cell in Excel.
                typed.data_type = "s"
                typed.quotePrefix = True
            if isinstance(value, datetime):
                typed.number_format = DATE_FORMAT
            if header:
                typed.font = bold
            return typed

        headers = [cell(header, header=True) for header in table.header]
        sheet.append(headers)
        for row in table.rows:
            sheet.append([cell(value) for value in row])
    workbook.save(path)
