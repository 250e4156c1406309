// A location field on a map: drop or drag a pin, use the device's location, or choose a town
// found by name; the coordinate inputs follow the pin and the pin follows the inputs.
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

  if (inputs.place) searchPlaces(inputs.place, inputs.suggestions, function (found) {
    accuracy.value = "";
    place(L.latLng(found.lat, found.lon), 13);
  });

  return {
    clear: function () {
      lat.value = lon.value = accuracy.value = "";
      if (marker) { map.removeLayer(marker); marker = null; }
    },
  };
};

// Towns of the app's own gazetteer by their first letters, listed under `input`; choosing one
// calls `chosen` with it. Nothing is asked of any other site.
function searchPlaces(input, list, chosen) {
  "use strict";
  var timer = null, asked = 0;

  function show(places) {
    list.replaceChildren();
    places.forEach(function (found) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      var where = document.createElement("small");
      button.type = "button";
      button.textContent = found.name + " ";
      where.textContent = [found.admin_area, found.country].filter(Boolean).join(", ");
      button.appendChild(where);
      button.addEventListener("click", function () {
        input.value = found.name;
        list.hidden = true;
        chosen(found);
      });
      item.appendChild(button);
      list.appendChild(item);
    });
    list.hidden = places.length === 0;
  }

  function ask() {
    var query = input.value.trim();
    var mine = ++asked;
    if (query.length < 2) { show([]); return; }
    fetch(input.dataset.placesUrl + "?limit=6&q=" + encodeURIComponent(query))
      .then(function (response) { return response.ok ? response.json() : { places: [] }; })
      .then(function (answer) { if (mine === asked) show(answer.places); })
      .catch(function () { if (mine === asked) show([]); });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 200);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Escape") list.hidden = true;
    if (event.key === "Enter") {
      // Enter picks the first town listed; it never sends the form from here.
      event.preventDefault();
      var first = list.hidden ? null : list.querySelector("button");
      if (first) first.click();
    }
    if (event.key === "ArrowDown" && !list.hidden) {
      event.preventDefault();
      list.querySelector("button").focus();
    }
  });
}
