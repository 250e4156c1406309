"""One self-contained HTML map built with folium: Leaflet, its cluster plugin and the data are
inlined, so the file opens with no network at all."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import folium
import xstatic.pkg.leaflet
import xstatic.pkg.leaflet_markercluster
from branca.element import Element, MacroElement
from folium.template import Template
from markupsafe import escape

LEAFLET = Path(xstatic.pkg.leaflet.BASE_DIR)
CLUSTER = Path(xstatic.pkg.leaflet_markercluster.BASE_DIR)
INLINE_JS = (LEAFLET / "leaflet.js", CLUSTER / "leaflet.markercluster.js")
INLINE_CSS = (
    LEAFLET / "leaflet.css",
    CLUSTER / "MarkerCluster.css",
    CLUSTER / "MarkerCluster.Default.css",
)


def _script_safe(text: str) -> str:
    """JSON or code that cannot close the <script> element it sits in."""
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


class ReportClusters(MacroElement):
    """The records as circle markers in a cluster group; popups are set as text, never HTML."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
          var rows = {{ this.data }};
          var group = L.markerClusterGroup({ chunkedLoading: true });
          rows.forEach(function (row) {
            var box = document.createElement("div");
            var title = document.createElement("strong");
            title.textContent = row[2];
            var when = document.createElement("div");
            when.textContent = row[3] + (row[4] ? " \u00b7 " + row[4] : "");
            box.appendChild(title);
            box.appendChild(when);
            group.addLayer(L.circleMarker([row[0], row[1]], { radius: 6 }).bindPopup(box));
          });
          var map = {{ this._parent.get_name() }};
          // Frame the reports first, then cluster them once at that zoom.
          if (rows.length) {
            var bounds = L.latLngBounds(rows.map(function (row) { return [row[0], row[1]]; }));
            map.fitBounds(bounds, { maxZoom: 12, animate: false });
          }
          map.addLayer(group);
          map.getContainer().dataset.reports = String(group.getLayers().length);
        })();
        {% endmacro %}
        """
    )

    def __init__(self, data: list):
        super().__init__()
        self._name = "ReportClusters"
        self.data = _script_safe(json.dumps(data, ensure_ascii=False))


def _inline(figure) -> None:
    for number, path in enumerate(INLINE_CSS):
        style = path.read_text(encoding="utf-8").replace("</", "<\\/")
        figure.header.add_child(Element(f"<style>{style}</style>"), name=f"css{number}")
    for number, path in enumerate(INLINE_JS):
        code = _script_safe(path.read_text(encoding="utf-8"))
        figure.header.add_child(Element(f"<script>{code}</script>"), name=f"js{number}")


def offline_map(
    rows: Iterable, title: str, tile_url: str, tile_attribution: str, note: str = ""
) -> str:
    """The HTML of a map of `rows` (records with lat, lon, title, occurred_at, categories)."""
    data = [
        [
            round(row.lat, 6),
            round(row.lon, 6),
            row.title,
            row.occurred_at.date().isoformat(),
            ", ".join(row.categories or ()),
        ]
        for row in rows
        if row.lat is not None
    ]
    fmap = folium.Map(location=[13, 20], zoom_start=2, tiles=None, control_scale=True)
    # Nothing from a CDN: the instance's resource lists replace folium's defaults.
    fmap.default_js = []
    fmap.default_css = []
    if tile_url:
        folium.TileLayer(tiles=tile_url, attr=tile_attribution, name="tiles").add_to(fmap)
    ReportClusters(data).add_to(fmap)
    figure = fmap.get_root()
    figure.title = title
    _inline(figure)
    heading = f"<title>{escape(title)}</title>"
    figure.header.add_child(Element(heading), name="title")
    if note:
        banner = (
            '<div style="position:fixed;bottom:8px;left:8px;z-index:1000;background:#fff;'
            f'padding:4px 8px;font:13px sans-serif">{escape(note)}</div>'
        )
        figure.html.add_child(Element(banner), name="note")
    return figure.render()
