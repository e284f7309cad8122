"""The charts' colours and font (pure). Light backgrounds, dark ink: text and lines keep WCAG AA contrast.

Colours are written as SVG presentation attributes (fill="...", stroke="..."), never as style attributes, which
the Content Security Policy refuses.
"""

INK = "#1d2b36"  # axis names and labels
MUTED = "#4f5a63"  # tick labels: 7:1 on white, over 4.5:1 on every band fill
GRID = "#c9d2d8"  # axis and grid lines
WHITE = "#ffffff"
BLUE = "#1f4e6b"  # the main line of a chart
BROWN = "#8a4500"  # a second line or a threshold, told apart from blue without colour by its dashes
RED = "#9b1c1c"  # flare-ups
#: Shaded bands from the best to the worst: light, so lines and labels keep AA contrast on them.
BAND_FILLS = ("#e7f3ea", "#eef3dc", "#fbf1d6", "#fce4d2", "#f9dada")
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
