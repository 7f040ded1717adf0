"""The report's charts as SVG text: drawn by matplotlib (no display), embedded in the HTML.

Levels are kinds, not numbers: the charts place them on a categorical axis or count people and
centres per level; nothing is ever averaged. The scale comes from the questionnaire.
"""

from __future__ import annotations

import io
import itertools
import re
import threading

import matplotlib
from matplotlib.colors import LinearSegmentedColormap, to_hex
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

from survey.questionnaire import Questionnaire, Scale
from survey.school_view import SchoolsView

# Light to dark: the order of the levels reads at a glance, also in grey print (four levels: these four).
LEVEL_RAMP = ("#d9ecf2", "#8cc3d6", "#3f8fb0", "#10506f")
TEXT_COLOUR = "#1f2933"
FONT = {
    "font.family": "DejaVu Sans",
    "font.size": 8.5,
    "text.color": TEXT_COLOUR,
    "axes.labelcolor": TEXT_COLOUR,
    "xtick.color": TEXT_COLOUR,
    "ytick.color": TEXT_COLOUR,
    "svg.fonttype": "none",
}


# Figures are made without pyplot (no global figure manager, so no display and no backend to pick),
# but the style is matplotlib's global rcParams: reports rendered in parallel threads draw one at a time.
_drawing = threading.Lock()


def level_colours(scale: Scale) -> tuple[str, ...]:
    """One colour per level, light to dark, spread over the ramp."""
    ramp = LinearSegmentedColormap.from_list("levels", LEVEL_RAMP)
    last = max(len(scale.levels) - 1, 1)
    return tuple(to_hex(ramp(i / last)) for i in range(len(scale.levels)))


def agreement_colours(scale: Scale) -> tuple[str, ...]:
    """Disagreement in warm, agreement in cool tones, stronger towards the ends of the scale."""
    diverging = matplotlib.colormaps["RdBu"]
    last = max(len(scale.levels) - 1, 1)
    return tuple(to_hex(diverging(0.12 + 0.76 * i / last)) for i in range(len(scale.levels)))


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    # Every chart numbers its elements from 1: in one HTML page their ids must not meet.
    prefix = f"c{next(_charts)}-"
    return _REFERENCE.sub(lambda m: m.group(1) + prefix, text)


_charts = itertools.count(1)
_REFERENCE = re.compile(r'(\bid="|url\(#|href="#)')


def centre_chart(q: Questionnaire, scale: Scale, today: list[str | None], intended: list[str | None]) -> str:
    """Per unit the centre's level today (dot) and where it wants to go (arrow to a ring)."""
    labels = [f"{u.number}. {u.short_title}" for u in q.units]
    colours = level_colours(scale)
    dark, mid = colours[-1], colours[len(colours) // 2]
    with _drawing, matplotlib.rc_context(FONT):
        figure = Figure(figsize=(6.8, 0.25 * len(labels) + 1.15))
        axes = figure.subplots()
        for row, (now, goal) in enumerate(zip(today, intended, strict=False)):
            if now is None:
                continue
            x = scale.rank(now)
            if goal is not None and goal != now:
                target = scale.rank(goal)
                axes.annotate(
                    "",
                    xy=(target - 0.09, row),
                    xytext=(x + 0.09, row),
                    arrowprops={"arrowstyle": "-|>", "color": mid, "lw": 1.6},
                )
                axes.scatter([target], [row], s=70, facecolors="white", edgecolors=dark, linewidths=1.6, zorder=3)
            axes.scatter([x], [row], s=70, color=dark, zorder=4)
        axes.set_yticks(range(len(labels)), labels)
        axes.invert_yaxis()
        axes.set_xticks(range(len(scale.levels)), [level.label for level in scale.levels])
        axes.set_xlim(-0.5, len(scale.levels) - 0.5)
        axes.set_ylim(len(labels) - 0.5, -0.5)
        axes.xaxis.tick_top()
        axes.grid(axis="x", color="#e4e7eb", lw=0.8)
        axes.set_axisbelow(True)
        for side in ("right", "bottom", "left"):
            axes.spines[side].set_visible(False)
        axes.spines["top"].set_color("#cbd2d9")
        axes.tick_params(length=0)
        today_mark = axes.scatter([], [], s=50, color=dark, label="vandaag")
        goal_mark = axes.scatter([], [], s=50, facecolors="white", edgecolors=dark, linewidths=1.6, label="gewenst")
        axes.legend(
            handles=[today_mark, goal_mark], loc="upper center", bbox_to_anchor=(0.5, -0.02), ncol=2, frameon=False
        )
        return _svg(figure)


def distribution_chart(q: Questionnaire, scale: Scale, counts: list[dict[str, int]], unit: str) -> str:
    """Per unit how many (members, centres) stand at each level: stacked bars, whole numbers."""
    labels = [f"{u.number}. {u.short_title}" for u in q.units]
    colours = level_colours(scale)
    with _drawing, matplotlib.rc_context(FONT):
        figure = Figure(figsize=(6.8, 0.18 * len(labels) + 0.9))
        axes = figure.subplots()
        left = [0] * len(labels)
        for index, (level, colour) in enumerate(zip(scale.levels, colours, strict=False)):
            values = [c.get(level.id, 0) for c in counts]
            bars = axes.barh(
                range(len(labels)), values, left=left, color=colour, edgecolor="white", height=0.7, label=level.label
            )
            labels_inside = [str(v) if v else "" for v in values]
            axes.bar_label(
                bars,
                labels=labels_inside,
                label_type="center",
                fontsize=7.5,
                color="white" if index >= len(colours) // 2 else TEXT_COLOUR,
            )
            left = [a + b for a, b in zip(left, values, strict=False)]
        axes.set_yticks(range(len(labels)), labels)
        axes.invert_yaxis()
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_xlim(0, max(max(left, default=0), 1))
        axes.set_xlabel(f"aantal {unit}")
        for side in ("right", "top"):
            axes.spines[side].set_visible(False)
        axes.tick_params(axis="y", length=0)
        axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=len(scale.levels), frameon=False)
        return _svg(figure)


def agreement_chart(view: SchoolsView) -> str:
    """Per statement the schools' answers as shares of those who rated it (not applicable left out),
    disagreement left, agreement right, the share that agrees and how many rated it at the end."""
    scale = view.scale
    rows = view.statements
    labels = [f"{s.statement.number}. {s.statement.short_label}" for s in rows]
    colours = agreement_colours(scale)
    with _drawing, matplotlib.rc_context(FONT):
        # Narrower than the page: the statements' labels take the rest, and the text keeps its size.
        figure = Figure(figsize=(4.3, 0.2 * len(rows) + 0.6))
        axes = figure.subplots()
        left = [0.0] * len(rows)
        rated = [sum(s.total[level] for level in scale.level_ids) for s in rows]
        for index, (level, colour) in enumerate(zip(scale.levels, colours, strict=False)):
            values = [100 * s.total[level.id] / n if n else 0 for s, n in zip(rows, rated, strict=False)]
            bars = axes.barh(
                range(len(rows)), values, left=left, color=colour, edgecolor="white", height=0.72, label=level.label
            )
            axes.bar_label(
                bars,
                labels=[f"{round(v)}" if v >= 9 else "" for v in values],
                label_type="center",
                fontsize=6.5,
                color="white" if index in (0, len(colours) - 1) else TEXT_COLOUR,
            )
            left = [a + b for a, b in zip(left, values, strict=False)]
        for row, (statement, n) in enumerate(zip(rows, rated, strict=False)):
            share = "–" if statement.share is None else f"{statement.share}%"
            axes.text(102, row, f"{share} (n={n})", va="center", fontsize=7)
        boundaries = [i for i in range(1, len(rows)) if rows[i].unit.id != rows[i - 1].unit.id]
        for boundary in boundaries:
            axes.axhline(boundary - 0.5, color="#9aa5b1", lw=0.6)
        axes.set_yticks(range(len(rows)), labels, fontsize=7.5)
        axes.invert_yaxis()
        axes.set_xlim(0, 100)
        axes.xaxis.set_major_formatter(PercentFormatter())
        for side in ("right", "top", "left"):
            axes.spines[side].set_visible(False)
        axes.tick_params(axis="y", length=0)
        axes.legend(
            loc="upper center",
            bbox_to_anchor=(0.3, -0.3 / len(rows) - 0.02),
            ncol=len(scale.levels),
            frameon=False,
            fontsize=7,
            handlelength=1,
            columnspacing=1,
        )
        return _svg(figure)
