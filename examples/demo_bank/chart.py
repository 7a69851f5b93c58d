"""The monthly income chart as plain SVG geometry, drawn on the server.

No script and no inline style: the page keeps a strict Content-Security-Policy.
"""

from __future__ import annotations

from dataclasses import dataclass

from examples.demo_bank.figures import MonthPay, kroner

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 72, 12, 16, 40
GRID_LINES = 4


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # under the bar
    title: str  # the tooltip: month and amount


@dataclass(frozen=True)
class GridLine:
    y: float
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    grid: list[GridLine]
    baseline: float
    left: int
    right: int


def _nice_ceiling(value: int) -> int:
    """A round top for the axis: 1, 2, 2.5 or 5 times a power of ten, at least `value`."""
    step = 1
    while True:
        for factor in (1, 2, 2.5, 5):
            candidate = int(step * factor)
            if candidate >= value:
                return candidate
        step *= 10


def monthly_income_chart(pay: list[MonthPay]) -> Chart | None:
    if not pay or max(month.amount for month in pay) <= 0:
        return None
    top = _nice_ceiling(max(month.amount for month in pay))
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_width / len(pay)
    bars = []
    for i, month in enumerate(pay):
        height = plot_height * max(month.amount, 0) / top
        bars.append(
            Bar(
                x=round(LEFT + i * slot + slot * 0.15, 1),
                y=round(TOP + plot_height - height, 1),
                width=round(slot * 0.7, 1),
                height=round(height, 1),
                label=month.label.split(".")[0],
                title=f"{month.label}: "
                + (kroner(month.amount) if month.reported else "ikke rapportert ennå"),
            )
        )
    grid = [
        GridLine(
            y=round(TOP + plot_height - plot_height * i / GRID_LINES, 1),
            label=kroner(top * i / GRID_LINES).removesuffix("\u00a0kr"),
        )
        for i in range(GRID_LINES + 1)
    ]
    return Chart(WIDTH, HEIGHT, bars, grid, TOP + plot_height, LEFT, WIDTH - RIGHT)
