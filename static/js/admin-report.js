// Report page: the exact point (when the viewer may see it) and the public point on one map;
// its times, and the edit form's event time, in the moderator's own time.
(function () {
  "use strict";

  function showLocations(element) {
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
  }

  function pad(n, width) {
    return String(n).padStart(width || 2, "0");
  }

  function localText(moment) {
    return pad(moment.getFullYear(), 4) + "-" + pad(moment.getMonth() + 1) + "-" +
      pad(moment.getDate()) + " " + pad(moment.getHours()) + ":" + pad(moment.getMinutes());
  }

  var zoneName = Intl.DateTimeFormat().resolvedOptions().timeZone;

  // The server writes the event time in UTC; shown and edited in the browser's time, and
  // sent back with the UTC offset of the time entered (which summer time may make differ
  // from today's).
  function localEventTime(input, offset, zone) {
    if (input.value) {
      input.value = localText(new Date(input.value + "Z")).replace(" ", "T");
    }
    zone.textContent = "(" + zone.dataset.labelLocal + (zoneName ? ", " + zoneName : "") + ")";
    input.form.addEventListener("submit", function () {
      if (input.value) offset.value = String(new Date(input.value).getTimezoneOffset());
    });
  }

  // Times the server wrote in UTC, written again in the browser's time and named by its zone;
  // the UTC text stays as the title.
  function localTimes() {
    document.querySelectorAll("time[data-local]").forEach(function (element) {
      var moment = new Date(element.getAttribute("datetime"));
      if (isNaN(moment.getTime())) return;
      element.title = element.textContent;
      element.textContent = localText(moment) + (zoneName ? " (" + zoneName + ")" : "");
    });
  }

  localTimes();
  var element = document.getElementById("report-locations");
  if (element) showLocations(element);
  var offset = document.getElementById("edit-tz-offset");
  if (offset) {
    localEventTime(document.getElementById("edit-occurred"), offset,
                   document.getElementById("edit-occurred-zone"));
  }
})();
