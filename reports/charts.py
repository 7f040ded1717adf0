"""The report's charts as SVG text: drawn by matplotlib (no display), embedded in the HTML.

Stadia are kinds, not numbers: the charts place them on a categorical axis or count people and
centres per stadium; nothing is ever averaged.
"""

from __future__ import annotations

import io
import threading

import matplotlib
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from survey.questionnaire import STADIUM_IDS, Questionnaire

# Light to dark: the order of the stadia reads at a glance, also in grey print.
STADIUM_COLOURS = ("#d9ecf2", "#8cc3d6", "#3f8fb0", "#10506f")
TEXT_COLOUR = "#1f2933"
FONT = {"font.family": "DejaVu Sans", "font.size": 8.5, "text.color": TEXT_COLOUR,
        "axes.labelcolor": TEXT_COLOUR, "xtick.color": TEXT_COLOUR, "ytick.color": TEXT_COLOUR,
        "svg.fonttype": "none"}


# Figures are made without pyplot (no global figure manager, so no display and no backend to pick),
# but the style is matplotlib's global rcParams: reports rendered in parallel threads draw one at a time.
_drawing = threading.Lock()


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def centre_chart(q: Questionnaire, today: list[str | None], intended: list[str | None]) -> str:
    """Per bouwsteen the centre's stadium today (dot) and where it wants to go (arrow to a ring)."""
    labels = [f"{b.number}. {b.short_title}" for b in q.bouwstenen]
    with _drawing, matplotlib.rc_context(FONT):
        figure = Figure(figsize=(6.8, 3.9))
        axes = figure.subplots()
        for row, (now, goal) in enumerate(zip(today, intended)):
            if now is None:
                continue
            x = STADIUM_IDS.index(now)
            if goal is not None and goal != now:
                target = STADIUM_IDS.index(goal)
                axes.annotate("", xy=(target - 0.09, row), xytext=(x + 0.09, row),
                              arrowprops={"arrowstyle": "-|>", "color": STADIUM_COLOURS[2], "lw": 1.6})
                axes.scatter([target], [row], s=70, facecolors="white", edgecolors=STADIUM_COLOURS[3],
                             linewidths=1.6, zorder=3)
            axes.scatter([x], [row], s=70, color=STADIUM_COLOURS[3], zorder=4)
        axes.set_yticks(range(len(labels)), labels)
        axes.invert_yaxis()
        axes.set_xticks(range(4), [q.stadium(s).label for s in STADIUM_IDS])
        axes.set_xlim(-0.5, 3.5)
        axes.set_ylim(len(labels) - 0.5, -0.5)
        axes.xaxis.tick_top()
        axes.grid(axis="x", color="#e4e7eb", lw=0.8)
        axes.set_axisbelow(True)
        for side in ("right", "bottom", "left"):
            axes.spines[side].set_visible(False)
        axes.spines["top"].set_color("#cbd2d9")
        axes.tick_params(length=0)
        today_mark = axes.scatter([], [], s=50, color=STADIUM_COLOURS[3], label="vandaag")
        goal_mark = axes.scatter([], [], s=50, facecolors="white", edgecolors=STADIUM_COLOURS[3], linewidths=1.6,
                                 label="gewenst")
        axes.legend(handles=[today_mark, goal_mark], loc="upper center", bbox_to_anchor=(0.5, -0.02), ncol=2,
                    frameon=False)
        return _svg(figure)


def distribution_chart(q: Questionnaire, counts: list[dict[str, int]], unit: str) -> str:
    """Per bouwsteen how many (members, centres) stand in each stadium: stacked bars, whole numbers."""
    labels = [f"{b.number}. {b.short_title}" for b in q.bouwstenen]
    with _drawing, matplotlib.rc_context(FONT):
        figure = Figure(figsize=(6.8, 2.9))
        axes = figure.subplots()
        left = [0] * len(labels)
        for stadium_id, colour in zip(STADIUM_IDS, STADIUM_COLOURS):
            values = [c.get(stadium_id, 0) for c in counts]
            bars = axes.barh(range(len(labels)), values, left=left, color=colour, edgecolor="white", height=0.7,
                             label=q.stadium(stadium_id).label)
            labels_inside = [str(v) if v else "" for v in values]
            axes.bar_label(bars, labels=labels_inside, label_type="center", fontsize=7.5,
                           color="white" if colour in STADIUM_COLOURS[2:] else TEXT_COLOUR)
            left = [a + b for a, b in zip(left, values)]
        axes.set_yticks(range(len(labels)), labels)
        axes.invert_yaxis()
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_xlim(0, max(max(left, default=0), 1))
        axes.set_xlabel(f"aantal {unit}")
        for side in ("right", "top"):
            axes.spines[side].set_visible(False)
        axes.tick_params(axis="y", length=0)
        axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=4, frameon=False)
        return _svg(figure)
