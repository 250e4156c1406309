// Inbox: click the map beside an unlocated message to fill its coordinates.
(function () {
  "use strict";
  document.querySelectorAll(".locate-form").forEach(function (form) {
    var element = form.querySelector(".locate-map");
    var lat = form.querySelector("input[name=latitude]");
    var lon = form.querySelector("input[name=longitude]");
    var map = window.mapperMap(element, {});
    map.setView([13, 103], 5);
    var marker = null;
    map.on("click", function (event) {
      var point = event.latlng.wrap();
      lat.value = point.lat.toFixed(6);
      lon.value = point.lng.toFixed(6);
      if (marker) { marker.setLatLng(point); } else { marker = L.marker(point).addTo(map); }
    });
  });
})();
