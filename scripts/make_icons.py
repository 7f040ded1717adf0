"""Draw the two Teams app icons in appPackage/ (run once; the PNGs are committed).

The symbol: four ascending rounded bars, the four stadia of the self-scan (fragmentair, planmatig,
geïntegreerd, systematisch), with the pole star ("poolster") above the highest one.

- color.png: 192x192, full bleed brand colour, the white symbol inside the central 120x120 safe area.
- outline.png: 32x32, the same symbol in pure white on a fully transparent background; anti-aliased
  edges vary the alpha only, never the colour.

The symbol is drawn on a 28x28 design grid (chosen so the bars fall on whole pixels at 32x32),
supersampled and averaged down, so the edges are smooth without any off-white pixels.

    .venv/bin/python scripts/make_icons.py
"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "appPackage"

# Keep in sync with accentColor in appPackage/manifest.template.json.
BRAND = (14, 90, 110)  # #0E5A6E, deep teal
WHITE = (255, 255, 255)

GRID = 28
SUPERSAMPLE = 16
# Bars on the design grid: x, width, top; all end at BOTTOM.
BARS = [(1 + i * 7, 5, top) for i, top in enumerate((20, 16, 12, 8))]
BOTTOM = 27
STAR_CENTRE = (24.5, 3.7)
STAR_OUTER = 4.1
STAR_INNER = 1.25


def _star(cx: float, cy: float, outer: float, inner: float) -> list[tuple[float, float]]:
    """A four-pointed star, points up/right/down/left."""
    points = []
    for k in range(8):
        angle = math.pi / 2 - k * math.pi / 4
        radius = outer if k % 2 == 0 else inner
        points.append((cx + radius * math.cos(angle), cy - radius * math.sin(angle)))
    return points


def symbol_mask(size: int, box: tuple[int, int, int]) -> Image.Image:
    """An 'L' mask of `size`x`size`: the symbol's coverage (0-255) drawn in the square box (x, y, side)."""
    x0, y0, side = box
    big = size * SUPERSAMPLE
    scale = side / GRID * SUPERSAMPLE
    ox, oy = x0 * SUPERSAMPLE, y0 * SUPERSAMPLE
    mask = Image.new("L", (big, big), 0)
    draw = ImageDraw.Draw(mask)
    for x, width, top in BARS:
        rect = (ox + x * scale, oy + top * scale, ox + (x + width) * scale - 1, oy + BOTTOM * scale - 1)
        draw.rounded_rectangle(rect, radius=1.4 * scale, fill=255)
    cx, cy = STAR_CENTRE
    draw.polygon([(ox + px * scale, oy + py * scale) for px, py in _star(cx, cy, STAR_OUTER, STAR_INNER)], fill=255)
    # BOX averages every SUPERSAMPLE x SUPERSAMPLE block: exact area coverage.
    return mask.resize((size, size), Image.Resampling.BOX)


def colour_icon() -> Image.Image:
    mask = symbol_mask(192, (36, 36, 120))
    icon = Image.new("RGB", (192, 192), BRAND)
    icon.paste(Image.new("RGB", (192, 192), WHITE), (0, 0), mask)
    return icon


def outline_icon() -> Image.Image:
    mask = symbol_mask(32, (2, 2, 28))
    icon = Image.new("RGBA", (32, 32), WHITE + (0,))
    icon.putalpha(mask)
    return icon


def main() -> None:
    OUT.mkdir(exist_ok=True)
    colour_icon().save(OUT / "color.png", optimize=True)
    outline_icon().save(OUT / "outline.png", optimize=True)
    print(f"Wrote {OUT / 'color.png'} and {OUT / 'outline.png'}")


if __name__ == "__main__":
    main()
