// Public map: published reports at their public locations, fed by the JSON API.
(function () {
  "use strict";
  var element = document.getElementById("map");
  var status = document.getElementById("map-status");
  var map = window.mapperMap(element, {});
  map.setView([13, 20], 2);
  var cluster = L.markerClusterGroup({ chunkedLoading: true });
  map.addLayer(cluster);
  var MAX_PAGES = 20;

  // Popups are built from text nodes only: report text is never parsed as HTML.
  function popup(properties) {
    var box = document.createElement("div");
    box.className = "report-popup";
    var title = document.createElement("h3");
    title.textContent = properties.title;
    box.appendChild(title);
    var when = document.createElement("p");
    when.className = "when";
    when.textContent = element.dataset.labelOccurred + " " +
      new Date(properties.occurred_at).toLocaleDateString(document.documentElement.lang);
    box.appendChild(when);
    if (properties.verified) {
      var badge = document.createElement("p");
      badge.className = "verified";
      badge.textContent = element.dataset.labelVerified;
      box.appendChild(badge);
    }
    var text = document.createElement("p");
    text.className = "description";
    text.textContent = properties.description;
    box.appendChild(text);
    var ref = document.createElement("p");
    ref.className = "reference";
    ref.textContent = properties.reference;
    box.appendChild(ref);
    return box;
  }

  function addFeatures(features) {
    var markers = [];
    features.forEach(function (feature) {
      if (!feature.geometry) return;
      var c = feature.geometry.coordinates;
      var marker = L.marker([c[1], c[0]], { title: feature.properties.title });
      marker.feature = feature;
      marker.bindPopup(function () { return popup(feature.properties); });
      markers.push(marker);
    });
    cluster.addLayers(markers);
    return markers.length;
  }

  var total = 0;
  function load(url, page) {
    status.textContent = status.dataset.labelLoading;
    fetch(url, { headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (collection) {
        total += addFeatures(collection.features);
        if (collection.next && page < MAX_PAGES) {
          load(collection.next, page + 1);
        } else {
          status.textContent = status.dataset.labelCount.replace("{count}", total);
          element.dataset.loaded = String(total);
        }
      })
      .catch(function () {
        status.textContent = status.dataset.labelError;
      });
  }
  load(element.dataset.reportsUrl + "?limit=1000", 1);
  window.mapperPublicMap = { map: map, cluster: cluster };
})();
