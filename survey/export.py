"""A wave's results as tables with stable, typed columns, and writers for CSV and XLSX.

The columns come from the questionnaire, never from the answers, so a column does not disappear
because nobody chose an option: every option of a multi-select is its own yes/no column.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from survey.answers import PAGES, Response
from survey.questionnaire import Questionnaire
from survey.registry import Registry
from survey.summary import intended_stadium
from survey.waves import Wave


@dataclass(frozen=True)
class Table:
    name: str
    header: tuple[str, ...]
    rows: list[tuple]


def _answer_columns(q: Questionnaire) -> list[tuple[str, str, str | None]]:
    """(header, question id, option id or None) for every answer column, in questionnaire order."""
    columns: list[tuple[str, str, str | None]] = []
    for page in PAGES.values():
        for question_id in page:
            question = q.question(question_id)
            if question.multiple:
                columns += [(f"{question_id}: {o.label.rstrip(':')}", question_id, o.id) for o in question.options]
            else:
                columns.append((question_id, question_id, None))
            if any(o.needs_text for o in question.options):
                columns.append((f"{question_id}: anders, namelijk", question_id, "__other__"))
            if question.explanation_label:
                columns.append((f"{question_id}: toelichting", question_id, "__explanation__"))
    return columns


def _answer_cells(q: Questionnaire, response: Response, bouwsteen_id: str, columns) -> list:
    cells: list = []
    for _, question_id, option in columns:
        answer = response.answer(bouwsteen_id, question_id)
        if option is None:
            cells.append(answer.choices[0] if answer else "")
        elif option == "__other__":
            cells.append(answer.other_text if answer else "")
        elif option == "__explanation__":
            cells.append(answer.explanation if answer else "")
        else:
            cells.append(None if answer is None else option in answer.choices)
    return cells


def _iso(moment) -> str:
    return moment.isoformat() if moment else ""


def build_tables(q: Questionnaire, registry: Registry, wave: Wave, centre_answers: list[Response],
                 member_responses: list[Response]) -> list[Table]:
    columns = _answer_columns(q)
    names = {c.id: c.name for c in registry.centres}
    long_header = ("ronde", "centrum_id", "centrum", "bouwsteen_nr", "bouwsteen_id", "bouwsteen",
                   "gewenst_stadium", *[c[0] for c in columns], "verzonden_op")

    def long_rows(responses: list[Response], with_person: bool) -> list[tuple]:
        rows = []
        for response in responses:
            for b in q.bouwstenen:
                person = (response.respondent_id, response.respondent_name) if with_person else ()
                rows.append((wave.id, response.centre_id, names.get(response.centre_id, ""), *person, b.number, b.id,
                             b.title, intended_stadium(q, response, b.id) or "",
                             *_answer_cells(q, response, b.id, columns), _iso(response.submitted_at)))
        return rows

    closing_header = ("ronde", "centrum_id", "centrum", "respondent", "soort", "verzonden_op",
                      *[f"prioriteit_{n}" for n in range(1, 6)],
                      *[f"inspirerende_praktijk_{n}" for n in range(1, 4)], "nog_geen_inspirerende_praktijk")

    def closing_row(response: Response) -> tuple:
        closing = response.closing
        priorities = list(closing.priorities if closing else ()) + [""] * 5
        inspiring = list(closing.inspiring_practices if closing else ()) + [""] * 3
        return (wave.id, response.centre_id, names.get(response.centre_id, ""), response.respondent_id,
                "centrum" if response.kind == "centre" else "lid", _iso(response.submitted_at), *priorities[:5],
                *inspiring[:3], bool(closing and closing.no_inspiring_practice))

    return [
        Table("centra", long_header, long_rows(centre_answers, with_person=False)),
        Table("slotvragen", closing_header, [closing_row(r) for r in [*centre_answers, *member_responses]]),
        Table("leden", (*long_header[:3], "respondent", "naam", *long_header[3:]),
              long_rows(member_responses, with_person=True)),
    ]


def write_csv_zip(tables: list[Table], path: Path) -> None:
    """One CSV per table (UTF-8 with BOM so Excel reads the accents), together in one zip."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for table in tables:
            buffer = io.StringIO()
            writer = csv.writer(buffer, delimiter=";")
            writer.writerow(table.header)
            writer.writerows(["" if cell is None else ("ja" if cell is True else "nee" if cell is False else cell)
                              for cell in row] for row in table.rows)
            archive.writestr(f"{table.name}.csv", "\ufeff" + buffer.getvalue())


def write_xlsx(tables: list[Table], path: Path) -> None:
    from openpyxl import Workbook  # only an export needs it: keeps 0.1 s off every start

    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in tables:
        sheet = workbook.create_sheet(table.name)
        sheet.append(list(table.header))
        for row in table.rows:
            sheet.append(list(row))
        sheet.freeze_panes = "A2"
    workbook.save(path)
