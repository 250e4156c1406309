"""The map's time strip in a real browser: its date axis, the dates and count under the
pointer, and what the slider tells a screen reader, in each language."""

import pytest

pytestmark = pytest.mark.browser
VIEW = "z=8&lat=11.56&lon=104.92"


@pytest.fixture
def dated(live_db, make_report):
    """Five reports from January 2023 to December 2024: two in January 2023, one in March."""
    for i, day in enumerate(["2023-01-10", "2023-01-20", "2023-03-15", "2024-02-14", "2024-12-10"]):
        make_report(
            "published",
            title=f"Dated {i}",
            latitude=11.55 + 0.01 * i,
            longitude=104.91,
            occurred_at=f"{day}T09:00:00+00:00",
        )


def open_strip(page, url: str) -> int:
    page.goto(url)
    page.wait_for_selector("#map[data-total]")
    page.wait_for_selector("#histogram[data-buckets]")
    return int(page.get_attribute("#histogram", "data-buckets"))


def hover(page, bucket: int, buckets: int) -> str:
    """The readout with the pointer over the middle of `bucket`."""
    box = page.locator("#histogram").bounding_box()
    page.mouse.move(box["x"] + (bucket + 0.5) * box["width"] / buckets, box["y"] + 24)
    page.wait_for_selector("#histogram-readout:not([hidden])")
    return page.text_content("#histogram-readout")


def ticks(page) -> list[tuple[str, float]]:
    return page.eval_on_selector_all(
        "#histogram-axis span", "spans => spans.map(s => [s.textContent, s.offsetLeft])"
    )


def test_the_strip_names_the_month_and_count_under_the_pointer(page, live_server, dated):
    buckets = open_strip(page, f"{live_server}/?{VIEW}")
    assert buckets == 24  # January 2023 to December 2024
    assert hover(page, 0, buckets) == "January 2023: 2 reports"
    assert hover(page, 1, buckets) == "February 2023: 0 reports"
    assert hover(page, 2, buckets) == "March 2023: 1 report"
    page.mouse.move(5, 5)
    assert page.is_hidden("#histogram-readout")

    # Dragging out a range names the whole range and its reports.
    box = page.locator("#histogram").bounding_box()
    y = box["y"] + 24
    page.mouse.move(box["x"] + 0.5 * box["width"] / buckets, y)
    page.mouse.down()
    page.mouse.move(box["x"] + 2.5 * box["width"] / buckets, y, steps=4)
    assert page.text_content("#histogram-readout") == "January 2023 – March 2023: 3 reports"
    page.mouse.up()
    page.wait_for_function("() => document.querySelector('#map').dataset.total === '3'")
    assert page.text_content("#map-status") == "3 matching reports"


def test_the_axis_marks_months_and_where_a_year_begins(page, live_server, dated):
    buckets = open_strip(page, f"{live_server}/?{VIEW}")
    found = ticks(page)
    labels = [label for label, _ in found]
    assert labels[0] == "Jan 2023" and "Jan 2024" in labels
    assert set(labels) - {"Jan 2023", "Jan 2024"} <= {
        "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    }  # fmt: skip
    width = page.evaluate("document.querySelector('#histogram').clientWidth")
    assert dict(found)["Jan 2024"] == pytest.approx(12 * width / buckets, abs=1)
    lefts = [left for _, left in found]
    assert lefts == sorted(lefts)


def test_over_years_the_axis_marks_each_year(page, live_server, dated, make_report):
    make_report("published", latitude=11.56, longitude=104.92, occurred_at="2020-06-01T12:00:00Z")
    open_strip(page, f"{live_server}/?{VIEW}")
    assert [label for label, _ in ticks(page)] == ["2021", "2022", "2023", "2024"]


def test_the_slider_steps_by_month_and_says_which(page, live_server, dated):
    buckets = open_strip(page, f"{live_server}/?{VIEW}")
    page.focus("#time-slider")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert page.get_attribute("#time-slider", "aria-valuetext") == "March 2023: 1 report"
    assert page.text_content("#histogram-readout") == "March 2023: 1 report"
    assert page.input_value("input[name=from]") == "2023-03-01"
    assert page.input_value("input[name=to]") == "2023-03-31"
    page.wait_for_function("() => document.querySelector('#map').dataset.total === '1'")
    assert page.text_content("#map-status") == "1 matching report"
    assert buckets == 24

    # The last month ends on its last day, by the calendar.
    page.keyboard.press("End")
    assert page.input_value("input[name=from]") == "2024-12-01"
    assert page.input_value("input[name=to]") == "2024-12-31"


def test_weeks_are_named_by_their_monday(page, live_server, dated):
    buckets = open_strip(page, f"{live_server}/?{VIEW}&bucket=week")
    assert hover(page, 0, buckets) == "Week of Jan 9, 2023: 1 report"
    assert hover(page, 1, buckets) == "Week of Jan 16, 2023: 1 report"


@pytest.mark.parametrize(
    "language, first, third, status",
    [
        ("es", "enero de 2023: 2 informes", "marzo de 2023: 1 informe", "5 informes coinciden"),
        ("km", "មករា 2023៖ របាយការណ៍ 2", "មីនា 2023៖ របាយការណ៍ 1", "របាយការណ៍ត្រូវគ្នា 5"),
    ],
)
def test_the_strip_speaks_the_page_language(
    page, live_server, dated, language, first, third, status
):
    buckets = open_strip(page, f"{live_server}/?{VIEW}&lang={language}")
    assert hover(page, 0, buckets) == first
    assert hover(page, 2, buckets) == third
    assert page.text_content("#map-status") == status


def test_a_single_month_is_marked_as_a_month(page, live_server, live_db, make_report):
    make_report("published", latitude=11.56, longitude=104.92, occurred_at="2024-03-05T12:00:00Z")
    open_strip(page, f"{live_server}/?{VIEW}")
    assert [label for label, _ in ticks(page)] == ["Mar 2024"]


RECORD_DRAWN = """() => {
  window.drawnSteps = [];
  window.mapperPublicMap.map.on("mapper:drawn", () => window.drawnSteps.push([
    document.querySelector("input[name=from]").value,
    document.querySelector("#map").dataset.total,
  ]));
}"""


def test_play_draws_every_step_however_slow_the_answers(page, live_server, dated):
    """Answers that take longer than a step (Gi* over many reports takes seconds): each
    step waits for its map. Stepping on regardless, each answer came after the next step's
    request and was dropped as out of date, and the map skipped steps or never moved."""
    held = []
    page.route("**/api/v1/clusters?*", lambda route: held.append(route))

    def release():
        for route in held:
            route.continue_()
        held.clear()

    page.goto(f"{live_server}/?{VIEW}")
    while page.get_attribute("#map", "data-total") is None:
        page.wait_for_timeout(100)
        release()
    page.evaluate(RECORD_DRAWN)
    page.click("#play")
    for _ in range(3):
        page.wait_for_timeout(2000)  # each answer comes two seconds late
        release()
    page.wait_for_function("() => window.drawnSteps.length >= 3")
    page.click("#play")
    release()
    drawn = page.evaluate("window.drawnSteps")
    assert drawn[:3] == [["2023-01-01", "2"], ["2023-02-01", "0"], ["2023-03-01", "1"]]
