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
import re
import time
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable

from survey.answers import PAGES, Response
from survey.questionnaire import Question, Questionnaire
from survey.registry import Registry
from survey.summary import intended_stadium
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


# (column, how to read its cell from a response and a bouwsteen id)
AnswerColumn = tuple[Column, Callable[[Response, str], object]]


def _question_columns(q: Questionnaire, question: Question) -> list[AnswerColumn]:
    label = question.short_label
    asked = question.text.replace("{bouwsteen}", "deze bouwsteen")
    if not asked.endswith(("?", ".", ":")):
        asked += " …"  # the question's sentence goes on in its options
    columns: list[AnswerColumn] = []
    if question.multiple:
        for option in question.options:
            full = option.label.rstrip(":. ")
            # The header without the examples in brackets; the codebook has the whole option.
            columns.append((
                Column(f"{label}: {full.split(' (')[0]}", f"{asked} Gekozen: ‘{full}’.", YES_NO),
                lambda r, b, option=option.id: (None if (a := r.answer(b, question.id)) is None
                                                else option in a.choices),
            ))
    else:
        choices = "; ".join(o.label for o in question.options)
        columns.append((Column(label, asked, f"een van: {choices}"),
                        lambda r, b: _option_label(question, r.choice(b, question.id))))
    if question.id == "current_stadium":
        columns.append((Column(f"{label} (1-4)", f"{label} als getal, om te rekenen.",
                               "geheel getal: 1 fragmentair, 2 planmatig, 3 geïntegreerd, 4 systematisch"),
                        lambda r, b: _rank(q, r.choice(b, "current_stadium"))))
    if question.id == "intention":
        columns.append((Column("Gewenst stadium", "Het stadium waar het centrum naartoe wil (bij ‘dit "
                               "aanhouden’: het huidige stadium).", "een van de vier stadia"),
                        lambda r, b: _stadium_label(q, intended_stadium(q, r, b))))
        columns.append((Column("Gewenst stadium (1-4)", "Het gewenste stadium als getal, om te rekenen.",
                               "geheel getal: 1 fragmentair, 2 planmatig, 3 geïntegreerd, 4 systematisch"),
                        lambda r, b: _rank(q, intended_stadium(q, r, b))))
    if any(option.needs_text for option in question.options):
        columns.append((Column(f"{label}: anders, namelijk", f"{label}: de omschrijving bij ‘anders’.", TEXT),
                        lambda r, b: (a.other_text or None) if (a := r.answer(b, question.id)) else None))
    if question.explanation_label:
        columns.append((Column(f"{label}: toelichting", f"{label}: de toelichting die erbij gegeven werd.", TEXT),
                        lambda r, b: (a.explanation or None) if (a := r.answer(b, question.id)) else None))
    return columns


def _option_label(question: Question, option_id: str | None) -> str | None:
    option = question.option(option_id) if option_id else None
    return option.label if option else None


def _stadium_label(q: Questionnaire, stadium_id: str | None) -> str | None:
    return q.stadium(stadium_id).label if stadium_id else None


def _rank(q: Questionnaire, stadium_id: str | None) -> int | None:
    return q.stadium_rank(stadium_id) + 1 if stadium_id else None


def answer_columns(q: Questionnaire) -> list[AnswerColumn]:
    """Every answer column of a bouwsteen, in questionnaire order."""
    return [column for page in PAGES.values() for question_id in page
            for column in _question_columns(q, q.question(question_id))]


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
BOUWSTEEN_COLUMNS = (
    Column("Bouwsteen nr.", "Het nummer van de bouwsteen in de zelfscan.", "geheel getal"),
    Column("Bouwsteen", "De titel van de bouwsteen.", TEXT),
)
TIME_COLUMNS = (
    Column("Verzonden op", "Wanneer het antwoord definitief verzonden werd.", MOMENT),
    Column("Laatst gewijzigd op", "Wanneer er voor het laatst iets aan dit antwoord veranderde.",
           "datum en tijd (Belgische tijd)"),
)


def _closing_columns(q: Questionnaire) -> tuple[Column, ...]:
    titles = "de titel van een bouwsteen (leeg: niet gekozen)"
    priorities = q.closing_question("priorities")
    inspiring = q.closing_question("inspiring_practices")
    return (
        *WAVE_COLUMNS,
        Column("Soort", "‘centrum’: het antwoord van het centrum (door de directeur); ‘lid’: het antwoord "
               "van één lid.", "centrum of lid"),
        Column("Respondent", "Bij een lid: het e-mailadres (of Azure AD-id) uit het register; bij het "
               "centrum: wie het centrumantwoord gaf.", TEXT),
        Column("Naam", "De naam van wie antwoordde.", TEXT),
        TIME_COLUMNS[0],
        *[Column(priorities.slot_label.format(n=n), f"{priorities.title}, plaats {n} in volgorde van belang.",
                 titles) for n in range(1, priorities.max_choices + 1)],
        *[Column(inspiring.slot_label.format(n=n), f"{inspiring.title}: bouwsteen {n}.", titles)
          for n in range(1, inspiring.max_choices + 1)],
        Column("Nog geen inspirerende praktijk", inspiring.none_label or inspiring.title, YES_NO_ALWAYS),
    )


def build_tables(q: Questionnaire, registry: Registry, wave: Wave, centre_answers: list[Response],
                 member_responses: list[Response], *, everything: bool = False) -> list[Table]:
    """The export's tables. Only submitted answers unless `everything` (then drafts too, with an
    empty "Verzonden op")."""
    if not everything:
        centre_answers = [r for r in centre_answers if r.is_submitted]
        member_responses = [r for r in member_responses if r.is_submitted]
    answers = answer_columns(q)
    names = {c.id: c.name for c in registry.centres}

    def long_rows(responses: list[Response], with_person: bool) -> list[tuple]:
        rows = []
        for response in sorted(responses, key=lambda r: (r.centre_id, r.respondent_id)):
            head = (wave.name, wave.id, response.centre_id, names.get(response.centre_id, ""))
            person = (response.respondent_id, response.respondent_name) if with_person else ()
            times = (_local(response.submitted_at), _local(response.updated_at))
            for b in q.bouwstenen:
                rows.append((*head, *person, b.number, b.title, *[read(response, b.id) for _, read in answers],
                             *times))
        return rows

    closing_columns = _closing_columns(q)
    priority_slots = q.closing_question("priorities").max_choices
    inspiring_slots = q.closing_question("inspiring_practices").max_choices

    def title(bouwsteen_id: str) -> str:
        bouwsteen = q.bouwsteen(bouwsteen_id)
        return bouwsteen.title if bouwsteen else bouwsteen_id

    def closing_row(response: Response) -> tuple:
        closing = response.closing
        priorities = [title(b) for b in closing.priorities] + [None] * priority_slots
        inspiring = [title(b) for b in closing.inspiring_practices] + [None] * inspiring_slots
        return (wave.name, wave.id, response.centre_id, names.get(response.centre_id, ""),
                "centrum" if response.kind == "centre" else "lid", response.respondent_id, response.respondent_name,
                _local(response.submitted_at), *priorities[:priority_slots], *inspiring[:inspiring_slots],
                closing.no_inspiring_practice)

    answered_closing = [r for r in sorted(centre_answers, key=lambda r: r.centre_id) if r.closing] + \
        [r for r in sorted(member_responses, key=lambda r: (r.centre_id, r.respondent_id)) if r.closing]
    long_columns = (*WAVE_COLUMNS, *BOUWSTEEN_COLUMNS, *[column for column, _ in answers], *TIME_COLUMNS)
    member_columns = (*WAVE_COLUMNS, *PERSON_COLUMNS, *BOUWSTEEN_COLUMNS, *[column for column, _ in answers],
                      *TIME_COLUMNS)
    return [
        Table("Centra", long_columns, long_rows(centre_answers, with_person=False), len(centre_answers)),
        Table("Slotvragen", closing_columns, [closing_row(r) for r in answered_closing], len(answered_closing)),
        Table("Leden", member_columns, long_rows(member_responses, with_person=True), len(member_responses)),
    ]


def codebook(tables: list[Table]) -> Table:
    """What every column of every table means: the sheet "Uitleg"."""
    columns = (Column("Blad", "Het blad (of CSV-bestand) waarin de kolom staat.", TEXT),
               Column("Kolom", "De kop van de kolom.", TEXT),
               Column("Betekenis", "Wat de kolom bevat.", TEXT),
               Column("Waarden", "Welke waarden erin kunnen staan.", TEXT))
    rows = [(table.name, column.header, column.meaning, column.values) for table in tables for column in table.columns]
    return Table(CODEBOOK_SHEET, columns, rows)


def export_file_name(wave_id: str, stamp: str, kind: str) -> str:
    """`<wave>-<yyyymmdd-hhmmss>.xlsx` or `...-csv.zip`: the wave can be told from the name alone."""
    return f"{wave_id}-{stamp}.xlsx" if kind == "xlsx" else f"{wave_id}-{stamp}-csv.zip"


_EXPORT_NAME = re.compile(r"^(?P<wave>.+)-\d{8}-\d{6}(?:\.xlsx|-csv\.zip)$")


def _export_files(folder: Path) -> list[tuple[str, Path]]:
    if not folder.is_dir():
        return []
    return [(match["wave"], path) for path in folder.iterdir()
            if path.is_file() and (match := _EXPORT_NAME.match(path.name))]


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
            longest = max([len(header), *(len(str(row[column - 1])) for row in table.rows[:50]
                                          if isinstance(row[column - 1], str))])
            sheet.column_dimensions[get_column_letter(column)].width = min(60, max(10, longest + 2))
        sheet.freeze_panes = "A2"

        def cell(value, *, header: bool = False):
            text_like_formula = isinstance(value, str) and value.startswith(FORMULA_STARTS)
            if not (header or text_like_formula or isinstance(value, datetime)):
                return value  # plain values stream fastest
            typed = WriteOnlyCell(sheet, value)
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
