// The cluster layer of the maps: server clusters drawn as discs (overlapping ones as one),
// report popups, and a cluster no zoom can part listed report by report.
(function () {
  "use strict";

  // `page`: the map page's `filters()` and `getJson(path, query)`, its category <select>,
  // the message for an answer that failed and its `words` (map-words.js). Returns `layer(answer)`.
  window.mapperClusters = function (map, api, page) {
    // Popups are built from text nodes only: report text is never parsed as HTML.
    // [tag, class, text, link]: a part with a link holds it as its text.
    function appendText(box, parts) {
      parts.forEach(function (part) {
        if (!part[2]) return;
        var node = document.createElement(part[0]), text = node;
        node.className = part[1];
        if (part[3]) {
          text = node.appendChild(document.createElement("a"));
          text.href = part[3];
        }
        text.textContent = part[2];
        box.appendChild(node);
      });
      return box;
    }

    // On the analysts' map a report's reference opens the whole report.
    function reportDetails(p) {
      var whole = api.reportUrl ? api.reportUrl.replace("REFERENCE", encodeURIComponent(p.reference)) : "";
      return [["p", "occurred", api.labelOccurred + " " +
                 page.words.date(p.occurred_at, "day")],
              ["p", "verified", p.verified ? api.labelVerified : ""],
              ["p", "description", p.description], ["p", "reference", p.reference, whole]];
    }

    function popup(p) {
      var box = document.createElement("div");
      box.className = "report-popup";
      return appendText(box, [["h3", "title", p.title]].concat(reportDetails(p)));
    }

    function reports(n) { return page.words.count(n, api, "reports"); }

    // A cluster whose reports share one point, or that the deepest zoom still holds, opens as
    // a list of them: each one's title, unfolding to the rest.
    var LISTED = 50;
    function reportList(features, count) {
      var box = document.createElement("div");
      box.className = "report-popup report-list";
      appendText(box, [["h3", "", reports(count)],
                       ["p", "newest", features.length < count ? api.labelNewest
                         .replace("{shown}", page.words.number(features.length)) : ""]]);
      features.forEach(function (f) {
        var item = document.createElement("details");
        appendText(item, [["summary", "", f.properties.title]].concat(reportDetails(f.properties)));
        box.appendChild(item);
      });
      return box;
    }

    function listReports(marker, p) {
      var query = page.filters(), b = p.bbox, pad = 1e-6;
      // The cluster's box as the answer rounded it, widened to hold its reports' points.
      query.set("bbox", [b[0] - pad, b[1] - pad, b[2] + pad, b[3] + pad].map(function (v) {
        return v.toFixed(7);
      }).join(","));
      query.set("limit", String(LISTED));
      // Opened once the list is in: a popup that grew after opening would pan the map again.
      var open = function (content) {
        L.popup({ maxWidth: 320, offset: L.point(0, -16) }).setLatLng(marker.getLatLng())
          .setContent(content).openOn(map);
      };
      page.getJson(api.reportsUrl, query).then(function (answer) {
        open(reportList(answer.features, p.count));
      }).catch(function () {
        open(page.errorLabel);
      });
    }

    // Discs nearer than this many pixels are drawn as one. Two neighbouring cells' weighted
    // centres can lie a few pixels apart, one each side of the line between the cells, where
    // one disc would hide the other. Counts still add up to the answer's total.
    var OVERLAP_PX = 40, MAX_ZOOM = 18;

    function overlapping(collection) {
      var items = collection.features.map(function (f, i) {
        var c = f.geometry.coordinates;
        return { feature: f, at: map.project([c[1], c[0]], collection.zoom), order: i };
      });
      if (collection.zoom >= MAX_ZOOM) return items.map(function (item) { return [item]; });
      // The largest first, each taking the discs that overlap it: the same answer is drawn
      // the same way every time.
      items.sort(function (a, b) {
        return b.feature.properties.count - a.feature.properties.count || a.order - b.order;
      });
      var groups = [];
      items.forEach(function (first) {
        if (first.taken) return;
        var group = [first];
        first.taken = true;
        items.forEach(function (other) {
          if (!other.taken && other.at.distanceTo(first.at) < OVERLAP_PX) {
            other.taken = true;
            group.push(other);
          }
        });
        groups.push(group);
      });
      return groups;
    }

    // The category filter's names, and each child's parent: a cluster's counts are of the
    // answer's `categories`, the top-level ones or the one filtered on and its children.
    var categoryNames = {}, parentOf = {};
    if (page.categories) {
      var parent = null;
      Array.prototype.forEach.call(page.categories.options, function (option) {
        if (!option.value) return;
        categoryNames[option.value] = option.textContent.trim();
        if (option.textContent.charAt(0) === "\u00a0") parentOf[option.value] = parent;
        else parent = option.value;
      });
    }

    // A cluster's reports per category of the answer's list; a single report counts once for
    // each listed category it is in or under.
    function categoryCounts(group, listed) {
      var counts = listed.map(function () { return 0; });
      group.forEach(function (item) {
        var p = item.feature.properties, seen = {};
        if (p.cluster) return p.category_counts.forEach(function (n, i) { counts[i] += n; });
        (p.categories || []).forEach(function (slug) {
          var i = listed.indexOf(slug) >= 0 ? listed.indexOf(slug) : listed.indexOf(parentOf[slug]);
          if (i >= 0 && !seen[i]) counts[i] += 1;
          seen[i] = true;
        });
      });
      return counts;
    }

    // One cluster for overlapping discs: their reports' weighted centre, the box around them
    // all, and their counts per category summed.
    function joined(group, listed) {
      if (group.length === 1) return group[0].feature;
      var n = 0, x = 0, y = 0, box = [Infinity, Infinity, -Infinity, -Infinity];
      group.forEach(function (item) {
        var p = item.feature.properties, c = item.feature.geometry.coordinates;
        var b = p.cluster ? p.bbox : [c[0], c[1], c[0], c[1]];
        n += p.count;
        x += c[0] * p.count;
        y += c[1] * p.count;
        box = [Math.min(box[0], b[0]), Math.min(box[1], b[1]), Math.max(box[2], b[2]), Math.max(box[3], b[3])];
      });
      return { type: "Feature", geometry: { type: "Point", coordinates: [x / n, y / n] },
               properties: { cluster: true, count: n, bbox: box, category_counts: categoryCounts(group, listed) } };
    }

    // "12 reports — Forced labour: 9, Sexual exploitation: 4": a report may be in several.
    function clusterTitle(p, listed) {
      var parts = p.category_counts.map(function (n, i) { return [n, listed[i]]; })
        .filter(function (row) { return row[0] > 0; })
        .sort(function (a, b) { return b[0] - a[0]; })
        .map(function (row) {
          return api.labelCategoryCount.replace("{category}", categoryNames[row[1]] || row[1])
            .replace("{count}", page.words.number(row[0]));
        });
      var head = reports(p.count);
      return parts.length ? api.labelBreakdown.replace("{categories}", parts.join(", ")).replace("{reports}", head) : head;
    }

    function clusterLayer(collection) {
      var group = L.layerGroup();
      var listed = collection.categories || [];
      overlapping(collection).map(function (discs) { return joined(discs, listed); }).forEach(function (f) {
        var c = f.geometry.coordinates, p = f.properties;
        if (!p.cluster) {
          var marker = L.marker([c[1], c[0]], { title: p.title });
          marker.bindPopup(function () { return popup(p); });
          return group.addLayer(marker);
        }
        var size = p.count < 10 ? "small" : p.count < 1000 ? "medium" : "large";
        var icon = L.divIcon({ html: "<div><span></span></div>", className: "marker-cluster marker-cluster-" + size,
                               iconSize: L.point(40, 40) });
        var marker = L.marker([c[1], c[0]], { icon: icon, title: clusterTitle(p, listed), count: p.count });
        marker.on("add", function () {
          marker.getElement().querySelector("span").textContent = page.words.number(p.count);
          marker.getElement().dataset.count = p.count;
        });
        marker.on("click", function () {
          var b = p.bbox;
          if ((b[0] === b[2] && b[1] === b[3]) || map.getZoom() >= MAX_ZOOM) return listReports(marker, p);
          // Its reports fill the view, each disc whole: as far apart as they can be drawn.
          map.fitBounds([[b[1], b[0]], [b[3], b[2]]], { padding: [OVERLAP_PX, OVERLAP_PX] });
        });
        group.addLayer(marker);
      });
      return group;
    }

    return { layer: clusterLayer };
  };
})();
