// A small heat layer: weighted points blurred on a canvas, then coloured by density.
(function () {
  "use strict";
  // ColorBrewer's YlOrRd: one hue path from pale yellow to dark red, lighter for fewer
  // reports, which readers with colour-blindness order the same way (a rainbow's greens and
  // reds they cannot tell apart, and its yellow stands out in the middle of the scale).
  var PALETTE = [[255, 237, 160], [254, 178, 76], [253, 141, 60], [240, 59, 32], [189, 0, 38],
                 [128, 0, 38]];

  function colour(alpha) {
    var t = alpha / 255 * (PALETTE.length - 1);
    var i = Math.min(Math.floor(t), PALETTE.length - 2);
    var f = t - i;
    return PALETTE[i].map(function (c, k) { return Math.round(c + (PALETTE[i + 1][k] - c) * f); });
  }

  L.MapperHeat = L.Layer.extend({
    initialize: function (points, max, radius) {
      this._points = points;
      this._max = max || 1;
      this._radius = radius || 18;
    },
    onAdd: function (map) {
      this._canvas = L.DomUtil.create("canvas", "heat-layer leaflet-zoom-hide");
      map.getPanes().overlayPane.appendChild(this._canvas);
      map.on("moveend", this._draw, this);
      this._draw();
    },
    onRemove: function (map) {
      map.off("moveend", this._draw, this);
      L.DomUtil.remove(this._canvas);
    },
    _draw: function () {
      var map = this._map, size = map.getSize(), canvas = this._canvas;
      L.DomUtil.setPosition(canvas, map.containerPointToLayerPoint([0, 0]));
      canvas.width = size.x;
      canvas.height = size.y;
      var ctx = canvas.getContext("2d"), r = this._radius, max = Math.log1p(this._max);
      this._points.forEach(function (p) {
        var at = map.latLngToContainerPoint([p[0], p[1]]);
        var gradient = ctx.createRadialGradient(at.x, at.y, 0, at.x, at.y, r);
        gradient.addColorStop(0, "rgba(0,0,0," + Math.max(0.08, Math.log1p(p[2]) / max) + ")");
        gradient.addColorStop(1, "rgba(0,0,0,0)");
        ctx.fillStyle = gradient;
        ctx.fillRect(at.x - r, at.y - r, 2 * r, 2 * r);
      });
      if (!size.x || !size.y) return;
      var image = ctx.getImageData(0, 0, size.x, size.y), data = image.data;
      for (var i = 3; i < data.length; i += 4) {
        if (!data[i]) continue;
        var c = colour(data[i]);
        data[i - 3] = c[0]; data[i - 2] = c[1]; data[i - 1] = c[2];
        data[i] = Math.min(220, data[i] * 1.6);
      }
      ctx.putImageData(image, 0, 0);
    },
  });
  // For a legend: the colours from the fewest reports to the most.
  L.MapperHeat.palette = PALETTE;
})();
