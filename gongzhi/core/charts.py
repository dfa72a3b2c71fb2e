"""ECharts options for the site's charts, built from a few small parts so that every chart reads
alike. Display only: the numbers here are floats or ints for drawing and never feed a sum.

A page puts the option in a ``json_script`` and ``core/static/gongzhi/app.js`` draws it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

Series = Sequence[tuple[Any, Sequence[Any]]]  # (name, values) per series


def axis_tooltip(*, shadow: bool = False) -> dict[str, Any]:
    tooltip: dict[str, Any] = {"trigger": "axis"}
    if shadow:
        tooltip["axisPointer"] = {"type": "shadow"}
    return tooltip


def title(text: Any) -> dict[str, Any]:
    return {"text": text, "left": 0, "textStyle": {"fontSize": 14}}


def grid(left: int, right: int, top: int, bottom: int, *, contain_label: bool = False) -> dict[str, Any]:
    box: dict[str, Any] = {"left": left, "right": right, "top": top, "bottom": bottom}
    if contain_label:
        box["containLabel"] = True
    return box


def legend_for(series: Series) -> dict[str, Any]:
    """A legend at the top right for two series or more; none for one."""
    return {"right": 0, "top": 0} if len(series) > 1 else {"show": False}


def category_axis(labels: Sequence[Any], *, rotate_over: int | None = None, **extra: Any) -> dict[str, Any]:
    """Categories; ``rotate_over``: show every label, tilted when there are more than that many."""
    axis: dict[str, Any] = {"type": "category", "data": list(labels)}
    if rotate_over is not None:
        axis["axisLabel"] = {"interval": 0, "rotate": 30 if len(labels) > rotate_over else 0}
    axis.update(extra)
    return axis


def value_axis(**extra: Any) -> dict[str, Any]:
    return {"type": "value", **extra}


def option(
    *,
    x_axis: dict[str, Any],
    y_axis: dict[str, Any],
    series: list[dict[str, Any]],
    grid: dict[str, Any],
    chart_title: Any = None,
    tooltip: dict[str, Any] | None = None,
    legend: dict[str, Any] | None = None,
    colours: Sequence[str] | None = None,
) -> dict[str, Any]:
    """One chart's option, in the order every chart of the site uses."""
    result: dict[str, Any] = {}
    if chart_title is not None:
        result["title"] = title(chart_title)
    result["tooltip"] = tooltip if tooltip is not None else axis_tooltip()
    if legend is not None:
        result["legend"] = legend
    result["grid"] = grid
    result["xAxis"] = x_axis
    result["yAxis"] = y_axis
    result["series"] = series
    if colours is not None:
        result["color"] = list(colours)
    return result


def bar_chart(
    chart_title: Any,
    labels: Sequence[Any],
    series: Series,
    *,
    grid: dict[str, Any],
    colours: Sequence[str],
    rotate_over: int,
    stack: bool = True,
    y_axis: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Vertical bars by category, one named series each (stacked unless ``stack=False``); a legend
    only with two series or more."""
    return {
        "title": title(chart_title),
        "tooltip": axis_tooltip(),
        "grid": grid,
        "legend": legend_for(series),
        "xAxis": category_axis(labels, rotate_over=rotate_over),
        "yAxis": y_axis or value_axis(),
        "series": [
            {"type": "bar", "name": name, "data": list(data), **({"stack": "s"} if stack else {})}
            for name, data in series
        ],
        "color": list(colours),
    }


def ranked_bars(
    chart_title: Any, labels: Sequence[Any], values: Sequence[Any], name: Any, *, colour: str
) -> dict[str, Any]:
    """Horizontal bars, first label on top, each with its value: long names stay readable."""
    return option(
        chart_title=chart_title,
        tooltip=axis_tooltip(shadow=True),
        grid=grid(10, 40, 36, 10, contain_label=True),
        x_axis=value_axis(),
        y_axis=category_axis(labels, inverse=True, axisLabel={"interval": 0}),
        series=[
            {"type": "bar", "name": name, "data": list(values), "label": {"show": True, "position": "right"}}
        ],
        colours=[colour],
    )


def amounts_by_category(
    labels: Sequence[Any],
    values: Sequence[float],
    *,
    grid: dict[str, Any],
    colour: str,
    chart_title: Any = None,
) -> dict[str, Any]:
    """One unnamed bar per category (every label shown), e.g. income by source."""
    return option(
        chart_title=chart_title,
        grid=grid,
        x_axis=category_axis(labels, axisLabel={"interval": 0}),
        y_axis=value_axis(),
        series=[{"type": "bar", "data": list(values)}],
        colours=[colour],
    )


def balance_over_time(
    points: Sequence[tuple[str, float]], *, grid: dict[str, Any], colour: str, chart_title: Any = None
) -> dict[str, Any]:
    """A balance as a step line on a time axis: ``points`` are (ISO date, balance)."""
    return option(
        chart_title=chart_title,
        grid=grid,
        x_axis={"type": "time"},
        y_axis=value_axis(),
        series=[{"type": "line", "step": "end", "showSymbol": False, "data": list(points)}],
        colours=[colour],
    )
