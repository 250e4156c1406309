// The map: clusters, heat or hotspots from the server for the view and filters, a histogram
// of event dates to pick a time range, and an animation through time. State lives in the URL.
(function () {
  "use strict";
  var element = document.getElementById("map");
  var form = document.getElementById("map-filters");
  var status = document.getElementById("map-status");
  var legend = document.getElementById("hotspot-legend");
  var heatLegend = document.getElementById("heat-legend");
  var heatMost = document.getElementById("heat-most");
  var fdrOption = document.getElementById("fdr-option");
  var hotspotDownload = document.getElementById("hotspot-download");
  var downloads = document.querySelectorAll("#downloads a");
  var api = element.dataset;
  var params = new URLSearchParams(window.location.search);
  var map = window.mapperMap(element, {});
  map.setView([Number(params.get("lat") || 13), Number(params.get("lon") || 20)],
              Number(params.get("z") || 2));
  var box = (params.get("bbox") || "").split(",").map(Number);
  if (!params.has("z") && box.length === 4 && box.every(isFinite)) {
    // West beyond east: the box crosses the antimeridian.
    map.fitBounds([[box[1], box[0]], [box[3], box[2] < box[0] ? box[2] + 360 : box[2]]]);
  }
  var layer = null, request = 0;
  var FIELDS = ["layer", "category", "source", "q", "from", "to", "bucket"];

  FIELDS.forEach(function (name) {
    var field = form.elements[name];
    if (field && params.has(name)) field.value = params.get(name);
  });
  form.querySelectorAll("input[name=status]").forEach(function (box) {
    if (params.has("status")) box.checked = params.get("status").split(",").indexOf(box.value) >= 0;
  });
  form.elements.fdr.checked = params.get("fdr") === "true";

  function filters() {
    var query = new URLSearchParams();
    FIELDS.forEach(function (name) {
      var field = form.elements[name];
      if (field && field.value && name !== "layer" && name !== "bucket") query.set(name, field.value);
    });
    var statuses = Array.prototype.map.call(
      form.querySelectorAll("input[name=status]:checked"), function (box) { return box.value; });
    if (statuses.length) query.set("status", statuses.join(","));
    if (api.audience) query.set("audience", api.audience);
    return query;
  }

  function viewQuery() {
    var query = filters(), b = map.getBounds();
    var wrap = function (lon) { return ((lon + 540) % 360) - 180; };
    var west = wrap(b.getWest()), east = wrap(b.getEast());
    if (b.getEast() - b.getWest() >= 360) { west = -180; east = 180; }
    query.set("bbox", [west, Math.max(b.getSouth(), -90), east, Math.min(b.getNorth(), 90)]
      .map(function (v) { return v.toFixed(5); }).join(","));
    query.set("zoom", String(Math.min(18, Math.max(0, map.getZoom()))));
    return query;
  }

  function keepInUrl() {
    var state = filters(), centre = map.getCenter();
    state.delete("audience");
    state.set("layer", form.elements.layer.value);
    state.set("bucket", form.elements.bucket.value);
    if (form.elements.fdr.checked) state.set("fdr", "true");
    state.set("z", String(map.getZoom()));
    state.set("lat", centre.lat.toFixed(4));
    state.set("lon", centre.lng.toFixed(4));
    window.history.replaceState(null, "", "?" + state.toString());
  }

  function getJson(path, query) {
    return fetch(path + "?" + query.toString(), { headers: { Accept: "application/json" },
                                                  credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      });
  }

  var words = window.mapperWords(JSON.parse(api.dates));
  var clusters = window.mapperClusters(map, api, { filters: filters, getJson: getJson,
    categories: form.elements.category, errorLabel: status.dataset.labelError, words: words });

  var BIN_COLOURS = { "-3": "#2166ac", "-2": "#67a9cf", "-1": "#d1e5f0", "0": "#f7f7f7",
                      "1": "#fddbc7", "2": "#ef8a62", "3": "#b2182b" };
  // Heat weights on a coarser grid (fewer, heavier points) are blurred wider.
  function heatRadius(answer) {
    return Math.max(18, Math.round((answer.cell_pixels || 16) * 0.75));
  }

  heatLegend.querySelector(".ramp").style.background = "linear-gradient(to right, " +
    L.MapperHeat.palette.map(function (c) { return "rgb(" + c.join(",") + ")"; }).join(", ") + ")";

  // A hexagon's tooltip: its count, Gi* z-score and p-value, and its bin as the legend says it.
  function hexagonTip(p) {
    var tip = document.createElement("span"), bin = legend.querySelector(".bin-" + p.bin);
    tip.textContent = [words.count(p.count, api, "reports"),
      "Gi* z = " + p.z.toFixed(2), "p = " + (p.p < 0.001 ? "< 0.001" : p.p.toFixed(3)),
      bin ? bin.textContent : ""].join(" · ");
    return tip;
  }

  function hotspotLayer(collection) {
    return L.geoJSON(collection, { style: function (f) {
      return { color: "#555", weight: 0.5, fillOpacity: 0.6, fillColor: BIN_COLOURS[String(f.properties.bin)] };
    }, onEachFeature: function (f, shape) {
      shape.bindTooltip(function () { return hexagonTip(f.properties); });
    } });
  }

  // On a phone the filters fold behind one button, which counts those in use.
  var toggle = document.getElementById("filters-toggle");
  var inUse = document.getElementById("filters-active");
  function folds() { return toggle !== null && toggle.offsetParent !== null; }
  function fold(open) {
    form.classList.toggle("open", open);
    toggle.setAttribute("aria-expanded", String(open));
    map.invalidateSize();  // the map took or gave back the panel's room
  }
  if (toggle) toggle.addEventListener("click", function () { fold(!form.classList.contains("open")); });
  function countInUse() {
    if (!inUse) return;
    var count = 0;
    filters().forEach(function (value, name) { if (name !== "status" && name !== "audience") count += 1; });
    var boxes = form.querySelectorAll("input[name=status]");
    if (Array.prototype.some.call(boxes, function (box) { return box.checked !== box.defaultChecked; })) count += 1;
    inUse.textContent = words.number(count);
    inUse.hidden = count === 0;
  }

  // The downloads hold the reports the map counts: the same filters over the answer's cells.
  function pointDownloads(answer, query) {
    var wanted = filters();
    wanted.set("bbox", answer.bbox ? answer.bbox.join(",") : query.get("bbox"));
    downloads.forEach(function (link) { link.href = link.dataset.base + "?" + wanted.toString(); });
  }

  // A hexagon the server cut in two at the antimeridian, whole again: its corners (the
  // points on the cut dropped), each beside the first, in order around their middle; a
  // hexagon is convex, so that order is its outline.
  function joinCut(g) {
    var first = g.coordinates[0][0][0][0], corners = [];
    g.coordinates.forEach(function (part) {
      part[0].slice(0, -1).forEach(function (c) {
        if (Math.abs(c[0]) !== 180) corners.push([c[0] + 360 * Math.round((first - c[0]) / 360), c[1]]);
      });
    });
    var x = 0, y = 0;
    corners.forEach(function (c) { x += c[0] / corners.length; y += c[1] / corners.length; });
    corners.sort(function (a, b) { return Math.atan2(a[1] - y, a[0] - x) - Math.atan2(b[1] - y, b[0] - x); });
    g.type = "Polygon";
    g.coordinates = [corners.concat([corners[0].slice()])];
  }

  // Each answer on the world copy nearest the view's centre: a view across the antimeridian
  // (over the Pacific) or wider than the world draws a report where it is looked at, not one
  // world away. The server gives longitudes from -180 to 180.
  function onViewedWorld(answer, kind) {
    var centre = map.getCenter().lng;
    function shift(lon) { return 360 * Math.round((centre - lon) / 360); }
    if (kind === "heatmap") {
      answer.points.forEach(function (p) { p[1] += shift(p[1]); });
      return answer;
    }
    answer.features.forEach(function (f) {
      var g = f.geometry, by;
      if (g.type === "Point") {
        by = shift(g.coordinates[0]);
        g.coordinates[0] += by;
        if (f.properties.bbox) { f.properties.bbox[0] += by; f.properties.bbox[2] += by; }
      } else {
        // A hexagon moves whole, by its first corner's copy; one across the antimeridian has
        // corners each side of it, each brought beside the first, not a world away.
        if (g.type === "MultiPolygon") joinCut(g);
        var first = g.coordinates[0][0][0];
        by = shift(first);
        g.coordinates.forEach(function (ring) {
          ring.forEach(function (c) { c[0] += 360 * Math.round((first - c[0]) / 360) + by; });
        });
      }
    });
    return answer;
  }

  function draw() {
    var kind = form.elements.layer.value, mine = ++request;
    status.textContent = status.dataset.labelLoading;
    element.setAttribute("aria-busy", "true");
    var path = kind === "heatmap" ? api.heatmapUrl : kind === "hotspots" ? api.hotspotsUrl : api.clustersUrl;
    var query = viewQuery();
    // Hexagons some 20 to 50 pixels across: an H3 resolution is about 1.4 zooms finer than
    // the one before it.
    var resolution = Math.min(10, Math.max(0, Math.round((map.getZoom() - 1) * 0.72)));
    if (kind === "hotspots") query.set("resolution", String(resolution));
    if (kind === "hotspots" && form.elements.fdr.checked) query.set("fdr", "true");
    // The hexagons drawn, scores and bins included, for a GIS.
    if (kind === "hotspots") hotspotDownload.href = path + "?" + query.toString();
    legend.hidden = fdrOption.hidden = kind !== "hotspots";
    heatLegend.hidden = kind !== "heatmap";
    if (request > 1) keepInUrl();  // a view the visitor chose, ready to share or bookmark
    countInUse();
    return getJson(path, query).then(function (answer) {
      if (mine !== request) return;
      if (layer) map.removeLayer(layer);
      answer = onViewedWorld(answer, kind);
      layer = kind === "heatmap" ? new L.MapperHeat(answer.points, answer.max, heatRadius(answer))
        : kind === "hotspots" ? hotspotLayer(answer) : clusters.layer(answer);
      layer.addTo(map);
      if (kind === "heatmap") {
        heatMost.textContent = words.count(answer.max, heatMost.dataset, "most");
      }
      status.textContent = words.count(answer.total, status.dataset, "count");
      element.dataset.total = String(answer.total);
      pointDownloads(answer, query);
      element.dataset.drawn = String(mine);
      element.removeAttribute("aria-busy");
      map.fire("mapper:drawn");
    }).catch(function () {
      if (mine === request) status.textContent = status.dataset.labelError;
      map.fire("mapper:drawn");
    });
  }

  var timeline = window.mapperTimeline(form, { getJson: getJson, viewQuery: viewQuery, draw: draw,
                                                 histogramUrl: api.histogramUrl, words: words });

  var goTo = document.getElementById("go-to-place");
  if (goTo) window.mapperPlaceSearch(goTo, document.getElementById("go-to-suggestions"), function (town) {
    if (folds()) fold(false);
    map.setView([town.lat, town.lon], 12);
  });

  form.addEventListener("change", function (event) {
    if (event.target === goTo) return;  // a place to go to, not a filter
    if (event.target.name !== "layer" && event.target.name !== "fdr") timeline.load();
    draw();
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var drawn = request;
    // On a phone, back to the map the filters were set for; a map that grew redraws itself.
    if (folds()) fold(false);
    if (request !== drawn) return;
    timeline.load();
    draw();
  });
  document.getElementById("clear-time").addEventListener("click", function () {
    form.elements.from.value = "";
    form.elements.to.value = "";
    timeline.paint();
    draw();
  });
  // With no view in the address, the map opens on the reports the filters match: one world
  // view of clusters gives their bounds.
  function fitToReports() {
    var query = filters();
    query.set("bbox", "-180,-85,180,85");
    query.set("zoom", "2");
    return getJson(api.clustersUrl, query).then(function (answer) {
      var bounds = L.latLngBounds([]);
      answer.features.forEach(function (f) {
        var b = f.properties.bbox, c = f.geometry.coordinates;
        if (b) { bounds.extend([b[1], b[0]]); bounds.extend([b[3], b[2]]); }
        else bounds.extend([c[1], c[0]]);
      });
      if (bounds.isValid()) map.fitBounds(bounds, { padding: [24, 24], maxZoom: 12, animate: false });
    }).catch(function () {});
  }
  function start() {
    map.on("moveend", function () { draw(); timeline.load(); });
    timeline.load();
    draw();
  }
  if (params.has("z") || params.has("bbox")) start();
  else fitToReports().then(start);
  window.mapperPublicMap = {
    map: map,
    draw: draw,
    // [lat, lon, title] of each marker drawn (for a cluster, its count).
    markers: function () {
      var found = [];
      if (layer && layer.eachLayer) layer.eachLayer(function (m) {
        var title = m.options.count === undefined ? m.options.title : String(m.options.count);
        if (m.getLatLng) found.push([m.getLatLng().lat, m.getLatLng().lng, title]);
      });
      return found;
    },
  };
})();
