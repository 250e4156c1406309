// A location field on a map: drop or drag a pin, use the device's location, or choose a town
// found by name (place-search.js); the coordinate inputs follow the pin and the pin follows
// the inputs.
window.mapperLocationPicker = function (element, inputs) {
  "use strict";
  var lat = inputs.lat, lon = inputs.lon, accuracy = inputs.accuracy, locate = inputs.locate;
  var map = window.mapperMap(element, {});
  var marker = null;

  function place(latlng, zoom) {
    var wrapped = latlng.wrap();
    lat.value = wrapped.lat.toFixed(6);
    lon.value = wrapped.lng.toFixed(6);
    if (marker) {
      marker.setLatLng(wrapped);
    } else {
      marker = L.marker(wrapped, { draggable: true }).addTo(map);
      marker.on("dragend", function () {
        accuracy.value = "";
        place(marker.getLatLng());
      });
    }
    if (zoom) map.setView(wrapped, zoom);
  }

  function fromFields() {
    var la = parseFloat(lat.value), lo = parseFloat(lon.value);
    if (isFinite(la) && isFinite(lo) && Math.abs(la) <= 90 && Math.abs(lo) <= 180) {
      place(L.latLng(la, lo), Math.max(map.getZoom(), 13));
      return true;
    }
    return false;
  }

  if (!fromFields()) map.setView([15, 100], 3);
  map.on("click", function (event) {
    accuracy.value = "";
    place(event.latlng);
  });
  lat.addEventListener("change", fromFields);
  lon.addEventListener("change", fromFields);

  locate.addEventListener("click", function () {
    if (!navigator.geolocation) { locate.textContent = locate.dataset.labelFailed; return; }
    navigator.geolocation.getCurrentPosition(function (position) {
      accuracy.value = String(Math.round(position.coords.accuracy));
      place(L.latLng(position.coords.latitude, position.coords.longitude), 15);
    }, function () {
      locate.textContent = locate.dataset.labelFailed;
    }, { enableHighAccuracy: true, timeout: 15000 });
  });

  if (inputs.place) window.mapperPlaceSearch(inputs.place, inputs.suggestions, function (found) {
    accuracy.value = "";
    place(L.latLng(found.lat, found.lon), 13);
  });

  return {
    clear: function () {
      lat.value = lon.value = accuracy.value = "";
      if (inputs.place) inputs.place.value = "";  // a town left there would place the report
      if (marker) { map.removeLayer(marker); marker = null; }
    },
  };
};
