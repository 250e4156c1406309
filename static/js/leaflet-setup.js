// Shared Leaflet set-up: tiles and marker icons from the app's own configuration, and the
// world's coastlines and borders underneath whenever tiles cannot be had.
(function () {
  "use strict";
  // Files the app serves beside this script (static/js/ → static/vendor/).
  var here = document.currentScript.src;
  var TOPOJSON = new URL("../vendor/topojson-client/topojson-client.min.js", here).href;
  var COUNTRIES = new URL("../vendor/world-atlas/countries-50m.json", here).href;
  var countries = null;  // one download per page, however many maps

  function script(src) {
    return new Promise(function (resolve, reject) {
      if (window.topojson) { resolve(); return; }
      var tag = document.createElement("script");
      tag.src = src;
      tag.onload = resolve;
      tag.onerror = reject;
      document.head.appendChild(tag);
    });
  }

  function loadCountries() {
    if (!countries) {
      countries = Promise.all([
        script(TOPOJSON),
        fetch(COUNTRIES).then(function (response) {
          if (!response.ok) throw new Error("outline " + response.status);
          return response.json();
        }),
      ]).then(function (loaded) {
        var world = loaded[1];
        return window.topojson.feature(world, world.objects.countries);
      });
      countries.catch(function () { countries = null; });  // asked again by the next map
    }
    return countries;
  }

  // Land and borders (Natural Earth, 1:50m) in a pane under the tiles: tiles that do load
  // cover it, and where none can be had the map still shows where it is.
  function addOutline(map, element) {
    if (map.getPane("outline")) return;
    map.createPane("outline").style.zIndex = 150;
    element.classList.add("without-tiles");
    // Drawing the world keeps the browser busy for some 50-100 ms: a map that draws reports
    // (its element has data-outline-waits) shows them first, or waits 3 s if they never come.
    var go = function () { drawOutline(map, element); };
    if (element.dataset.outlineWaits === undefined || element.dataset.drawn !== undefined) {
      go();
      return;
    }
    var timer = setTimeout(go, 3000);
    map.once("mapper:drawn", function () {
      clearTimeout(timer);
      // After the browser has shown them: the frame being prepared, then a task after it.
      requestAnimationFrame(function () { setTimeout(go, 0); });
    });
  }

  function drawOutline(map, element) {
    loadCountries().then(function (world) {
      L.geoJSON(world, {
        pane: "outline",
        interactive: false,
        attribution: "Natural Earth",
        style: { color: "#9a9a9a", weight: 1, fillColor: "#f2efe9", fillOpacity: 1 },
      }).addTo(map);
      element.dataset.outline = "drawn";
    }).catch(function () {
      element.dataset.outline = "failed";
    });
  }

  window.mapperMap = function (element, options) {
    L.Icon.Default.imagePath = element.dataset.iconPath;
    var map = L.map(element, Object.assign({ worldCopyJump: true }, options || {}));
    if (element.dataset.tileUrl) {
      L.tileLayer(element.dataset.tileUrl, {
        maxZoom: 19,
        attribution: element.dataset.tileAttribution,
      }).on("tileerror", function () { addOutline(map, element); }).addTo(map);
    } else {
      addOutline(map, element);
    }
    return map;
  };
})();
