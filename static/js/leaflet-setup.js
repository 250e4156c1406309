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
        var land = window.topojson.feature(world, world.objects.countries);
        land.features.forEach(function (f) { f.geometry = flat(f.geometry); });
        return land;
      });
      countries.catch(function () { countries = null; });  // asked again by the next map
    }
    return countries;
  }

  // The atlas keeps rings that cross the antimeridian (Russia's far east, Fiji) or go round
  // a pole (Antarctica) whole, as on a globe; on a flat map each would draw a line from one
  // side of the world to the other. Their longitudes carry on past ±180 instead (with a copy
  // a world over, for the part that lies at the other edge), and a ring round a pole is
  // closed along it.
  function flatRing(ring) {
    var out = [], shift = 0;
    ring.forEach(function (point, i) {
      var step = i > 0 ? point[0] - ring[i - 1][0] : 0;
      shift += step > 180 ? -360 : step < -180 ? 360 : 0;
      out.push([point[0] + shift, point[1]]);
    });
    if (shift !== 0) {
      var pole = ring[0][1] < 0 ? -90 : 90;
      out.push([out[out.length - 1][0], pole], [out[0][0], pole], out[0]);
    }
    return out;
  }
  function flat(geometry) {
    if (geometry.type !== "Polygon" && geometry.type !== "MultiPolygon") return geometry;
    var polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
    var out = [];
    polygons.forEach(function (rings) {
      var shaped = rings.map(flatRing), lons = shaped[0].map(function (p) { return p[0]; });
      out.push(shaped);
      var over = Math.max.apply(null, lons) > 180 ? -360 : Math.min.apply(null, lons) < -180 ? 360 : 0;
      if (over) out.push(shaped.map(function (ring) {
        return ring.map(function (p) { return [p[0] + over, p[1]]; });
      }));
    });
    return { type: "MultiPolygon", coordinates: out };
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
