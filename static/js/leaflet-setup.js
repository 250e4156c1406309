// Shared Leaflet set-up: tiles and marker icons from the app's own configuration.
window.mapperMap = function (element, options) {
  "use strict";
  L.Icon.Default.imagePath = element.dataset.iconPath;
  var map = L.map(element, Object.assign({ worldCopyJump: true }, options || {}));
  if (element.dataset.tileUrl) {
    L.tileLayer(element.dataset.tileUrl, {
      maxZoom: 19,
      attribution: element.dataset.tileAttribution,
    }).addTo(map);
  }
  return map;
};
