"""Extract the bouwstenen of the manual (ch. 4-6) into the units of content/questionnaires/poolster-clb-*.yaml.

Run once by the content editor: `python scripts/extract_content.py > /tmp/bouwstenen.yaml`, then
review the output against the manual and paste it into a new version of the self-scan's file. The text was
extracted from a PDF with interleaved columns, so the split of each stadia table into its four
stadia is given here by hand (paragraphs per stadium), checked against the printed manual.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

SOURCE = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "001_dc88fb0695de4e8f.txt"
STADIA = ("fragmentair", "planmatig", "geintegreerd", "systematisch")

# (id, title, paragraphs per stadium in the stadia table)
BOUWSTENEN = [
    ("behartiger", "Behartiger van de leerling", (2, 2, 2, 2)),
    ("kernprocessen", "Geïntegreerde benadering van de kernprocessen", (2, 2, 1, 1)),
    ("preventie", "Preventie", (3, 1, 2, 2)),
    ("teamwerk", "Sterk teamwerk", (1, 1, 1, 1)),
    ("partnerschap_intern", "Sterk partnerschap: intern binnen GO!", (3, 3, 3, 3)),
    ("netwerk_extern", "Sterk netwerk: netoverstijgend en extern", (2, 2, 2, 2)),
    ("integraal_beleid", "Integraal beleid", (3, 2, 3, 3)),
    ("plg", "Ontwikkeling als professionele leergemeenschap (PLG)", (1, 1, 1, 2)),
    ("gedeeld_leiderschap", "Vanuit gedeeld leiderschap", (1, 2, 2, 2)),
    ("onderzoekende_houding", "Onderzoekende houding", (2, 2, 2, 2)),
    ("geinformeerde_praktijken", "Geïnformeerde praktijken", (2, 3, 2, 3)),
]
NOISE = re.compile(
    r"^\s*(\d\.\d\s+\S.*|\d\.\s+\S.*|Handleiding bij de inschalingstool.*|INSCHALING:.*|Deze inschaling is.*"
    r"|\d+ (Input verzameld|Gezien|Er is geen rechtstreekse).*)$"
)


# Hyphens the PDF put inside words.
REPAIRS = {
    "mede-werkers": "medewerkers",
    "syste-matisch": "systematisch",
    "leerlingenbegelei-ding": "leerlingenbegeleiding",
    "ver-wachtingen": "verwachtingen",
    "be-geleiding": "begeleiding",
    "doogedreven": "doorgedreven",
    "vervulllen": "vervullen",
    "neergescheven": "neergeschreven",
    "aanbodgstuurde": "aanbodgestuurde",
    "partnes": "partners",
}


def repair(text: str) -> str:
    for wrong, right in REPAIRS.items():
        text = text.replace(wrong, right)
    return text


def clean(lines: list[str]) -> list[str]:
    """Paragraphs: lines joined, hyphenation and footnote markers repaired."""
    paragraphs, current = [], []
    for line in lines + [""]:
        if not line.strip() or NOISE.match(line):
            if current:
                paragraphs.append(" ".join(current))
                current = []
            continue
        if current and current[-1].endswith("-") and current[-1][-2:-1].isalpha():
            # A line that ends in a hyphen goes on without a space: "macro-" + "overleg".
            current[-1] += line.strip()
        else:
            current.append(line.strip())
    result = []
    for paragraph in paragraphs:
        paragraph = repair(re.sub(r"\s+", " ", paragraph).strip())
        if not re.fullmatch(r"\(plan[^)]*\)", paragraph):
            result.append(paragraph)
    return result


def blocks(text: list[str]) -> list[dict]:
    starts = [i for i, line in enumerate(text) if line.strip() == "DEFINITIE:"]
    found = []
    for number, start in enumerate(starts):
        end = starts[number + 1] if number + 1 < len(starts) else len(text)
        section = text[start:end]
        table = next(i for i, line in enumerate(section) if line.strip().startswith("Fragmentair Planmatig"))
        finish = next(i for i, line in enumerate(section) if line.strip().startswith("INSCHALING:") and i > table)
        verwijst = next(i for i, line in enumerate(section) if line.startswith("VERWIJST NAAR"))
        scoort = next(i for i, line in enumerate(section) if "EEN CLB SCOORT" in line)
        hoe = next((i for i, line in enumerate(section) if line.startswith("HOE KAN JE")), None)
        draagt = next((i for i, line in enumerate(section) if line.startswith("DRAAGT OP DEZE")), None)
        found.append(
            {
                "definition": clean(section[1:verwijst]),
                "rclbk": [p for p in clean(section[verwijst + 2 : scoort]) if p.startswith("RclbK")],
                "reflection": section[hoe:table] if hoe is not None else [],
                "draagt": clean(section[draagt + 2 : table]) if draagt is not None else [],
                "stadia": clean(section[table + 7 : finish]),
            }
        )
    return found


def reflection(lines: list[str]) -> tuple[str, list[str]]:
    if not lines:
        return "", []
    title_lines, rest = [], []
    for index, line in enumerate(lines):
        title_lines.append(line.strip())
        if line.strip().endswith("?"):
            rest = lines[index + 1 :]
            break
    title = " ".join(title_lines).capitalize().replace("clb", "CLB").replace("go!", "GO!")
    # Each bullet starts with a tab; its continuation lines do not.
    items, current = [], []
    for line in rest:
        if NOISE.match(line):
            break
        if line.startswith("\t"):
            if current:
                items.append(" ".join(current))
            current = [line.strip()]
        elif line.strip() and current:
            current.append(line.strip())
    if current:
        items.append(" ".join(current))
    return title, [repair(re.sub(r"\s+", " ", item).strip()) for item in items if item.strip()]


def main() -> None:
    text = SOURCE.read_text(encoding="utf-8").splitlines()
    extracted = blocks(text)
    assert len(extracted) == len(BOUWSTENEN), len(extracted)
    out = []
    for (bouwsteen_id, title, split), block in zip(BOUWSTENEN, extracted, strict=False):
        paragraphs = block["stadia"]
        if len(paragraphs) != sum(split):
            print(f"# {bouwsteen_id}: {len(paragraphs)} paragraphs, expected {sum(split)}", file=sys.stderr)
            for n, p in enumerate(paragraphs):
                print(f"#   {n}: {p[:90]}", file=sys.stderr)
        stadia, position = {}, 0
        for stadium, count in zip(STADIA, split, strict=False):
            stadia[stadium] = "\n\n".join(paragraphs[position : position + count])
            position += count
        reflection_title, reflections = reflection(block["reflection"])
        if not reflections and block["draagt"]:
            reflection_title = "Zo draagt deze bouwsteen bij aan de kwaliteit van leerlingenbegeleiding"
            reflections = block["draagt"]
        out.append(
            {
                "id": bouwsteen_id,
                "title": title,
                "definition": " ".join(block["definition"]),
                "rclbk": block["rclbk"],
                "reflection_title": reflection_title,
                "reflection": reflections,
                "descriptions": stadia,
            }
        )
    yaml.safe_dump(out, sys.stdout, allow_unicode=True, sort_keys=False, width=110)


if __name__ == "__main__":
    main()
