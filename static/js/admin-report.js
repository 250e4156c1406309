// Report page: the exact point (when the viewer may see it) and the public point on one map.
(function () {
  "use strict";
  var element = document.getElementById("report-locations");
  if (!element) return;
  var map = window.mapperMap(element, {});
  var points = [];
  function add(attribute, label, options) {
    if (!element.dataset[attribute]) return;
    var parts = element.dataset[attribute].split(",").map(Number);
    var layer = L.circleMarker(parts, options).bindTooltip(label, { permanent: true });
    layer.addTo(map);
    points.push(parts);
  }
  add("exact", element.dataset.labelExact, { color: "#c62828", radius: 8 });
  add("public", element.dataset.labelPublic, { color: "#0a5d8f", radius: 8 });
  if (points.length) {
    map.fitBounds(L.latLngBounds(points).pad(0.5), { maxZoom: 15 });
  } else {
    map.setView([15, 100], 3);
  }
})();
