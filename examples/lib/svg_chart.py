"""A small line chart as SVG, for the experiments' pictures in docs/ (the
experiments run with Debian's plain /usr/bin/python3, without matplotlib).

    chart = Chart(x_ticks=[(x, label), ...], y_range=(lo, hi), y_ticks=[...], x_label="...")
    chart.series("name", [(x, y), ...], colour, dashed=False, points=[(x, y), ...],
                 error_bars=[(x, y_low, y_high), ...])
    chart.hline(y, "label")
    chart.save(path)
"""


class Chart:
    def __init__(self, x_ticks, y_range, y_ticks, x_label, width=640, height=320, legend_width=150):
        self.left, self.top, self.bottom = 60, 20, 45
        self.width, self.height = width, height
        self.pw = width - self.left - legend_width
        self.ph = height - self.top - self.bottom
        xs = [x for x, _ in x_ticks]
        self.x_range = (min(xs), max(xs))
        self.y_range = y_range
        self.legend = 0
        self.parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            'font-family="sans-serif" font-size="11">', '<rect width="100%" height="100%" fill="white"/>',
            f'<line x1="{self.left}" y1="{self.top + self.ph}" x2="{self.left + self.pw}" '
            f'y2="{self.top + self.ph}" stroke="black"/>',
            f'<line x1="{self.left}" y1="{self.top}" x2="{self.left}" y2="{self.top + self.ph}" stroke="black"/>',
            f'<text x="{self.left + self.pw / 2}" y="{height - 8}" text-anchor="middle">{x_label}</text>']
        for x, label in x_ticks:
            self.parts.append(f'<text x="{self.x(x):.1f}" y="{self.top + self.ph + 15}" '
                              f'text-anchor="middle">{label}</text>')
        for y in y_ticks:
            self.parts.append(f'<text x="{self.left - 6}" y="{self.y(y) + 4:.1f}" text-anchor="end">{y:g}</text>')
            self.parts.append(f'<line x1="{self.left}" y1="{self.y(y):.1f}" x2="{self.left + self.pw}" '
                              f'y2="{self.y(y):.1f}" stroke="#ddd"/>')

    def x(self, value):
        lo, hi = self.x_range
        return self.left + (value - lo) / (hi - lo) * self.pw

    def y(self, value):
        lo, hi = self.y_range
        return self.top + (hi - value) / (hi - lo) * self.ph

    def hline(self, value, label):
        self.parts.append(f'<line x1="{self.left}" y1="{self.y(value):.1f}" x2="{self.left + self.pw}" '
                          f'y2="{self.y(value):.1f}" stroke="#999" stroke-dasharray="2 3"/>')
        self.parts.append(f'<text x="{self.left + self.pw - 4}" y="{self.y(value) - 4:.1f}" '
                          f'text-anchor="end" fill="#666">{label}</text>')

    def series(self, name, line, colour, dashed=False, points=(), error_bars=()):
        """A line through `line` (x, y), dots at `points`, vertical bars
        from y_low to y_high at `error_bars`, and a legend entry."""
        dash = ' stroke-dasharray="4 3"' if dashed else ""
        self.parts.append('<polyline points="' + " ".join(f"{self.x(x):.1f},{self.y(y):.1f}" for x, y in line) +
                          f'" fill="none" stroke="{colour}"{dash}/>')
        for x, low, high in error_bars:
            self.parts.append(f'<line x1="{self.x(x):.1f}" y1="{self.y(low):.1f}" x2="{self.x(x):.1f}" '
                              f'y2="{self.y(high):.1f}" stroke="{colour}"/>')
        for x, y in points:
            self.parts.append(f'<circle cx="{self.x(x):.1f}" cy="{self.y(y):.1f}" r="2.5" fill="{colour}"/>')
        ly = self.top + 12 + 16 * self.legend
        self.legend += 1
        lx = self.left + self.pw + 10
        self.parts.append(f'<line x1="{lx}" y1="{ly}" x2="{lx + 20}" y2="{ly}" stroke="{colour}"{dash}/>')
        self.parts.append(f'<text x="{lx + 24}" y="{ly + 4}">{name}</text>')

    def save(self, path):
        with open(path, "w") as f:
            f.write("\n".join(self.parts + ["</svg>"]) + "\n")
