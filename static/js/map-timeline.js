// The time strip under the map: a histogram of event dates over the view, a range dragged
// out on it, and a slider and play button that step through time a bucket at a time.
(function () {
  "use strict";

  // `page`: the map page's `getJson(path, query)`, `viewQuery()` and `draw()`, and the
  // histogram's address. Returns `load()` (fetch and paint) and `paint()` (repaint).
  window.mapperTimeline = function (form, page) {
    var strip = document.getElementById("histogram");
    var slider = document.getElementById("time-slider");
    var play = document.getElementById("play");
    var histogram = [], bucketMs = { day: 864e5, week: 6048e5, month: 2592e6 };

    // The histogram covers every date; the selected range is shaded and can be dragged out.
    function load() {
      var query = page.viewQuery();
      query.delete("from");
      query.delete("to");
      query.set("bucket", form.elements.bucket.value);
      return page.getJson(page.histogramUrl, query).then(function (answer) {
        histogram = answer.buckets;
        slider.max = String(Math.max(0, histogram.length - 1));
        paint();
      });
    }

    function paint() {
      var ctx = strip.getContext("2d"), width = strip.width = strip.clientWidth, height = strip.height;
      ctx.clearRect(0, 0, width, height);
      if (!histogram.length) return;
      var max = Math.max.apply(null, histogram.map(function (b) { return b.count; })) || 1;
      var w = width / histogram.length, from = form.elements.from.value, to = form.elements.to.value;
      histogram.forEach(function (b, i) {
        var inside = (!from || b.start >= from.slice(0, 10) || nextStart(i) > from) && (!to || b.start <= to);
        ctx.fillStyle = inside ? "#b2182b" : "#c8c8c8";
        var h = Math.max(1, b.count / max * (height - 2));
        ctx.fillRect(i * w, height - h, Math.max(1, w - 1), h);
      });
      strip.dataset.buckets = String(histogram.length);
    }

    function nextStart(i) { return histogram[i + 1] ? histogram[i + 1].start : "9999"; }
    function bucketAt(x) {
      var i = Math.floor(x / strip.clientWidth * histogram.length);
      return Math.min(histogram.length - 1, Math.max(0, i));
    }
    function endOf(i) {
      var next = histogram[i + 1] ? new Date(histogram[i + 1].start) : new Date(Date.parse(histogram[i].start) + bucketMs[form.elements.bucket.value]);
      return new Date(next.getTime() - 864e5).toISOString().slice(0, 10);
    }
    function selectBuckets(a, b) {
      var lo = Math.min(a, b), hi = Math.max(a, b);
      form.elements.from.value = histogram[lo].start;
      form.elements.to.value = endOf(hi);
      slider.value = String(hi);
      paint();
    }

    var dragStart = null;
    strip.addEventListener("pointerdown", function (event) {
      if (!histogram.length) return;
      dragStart = bucketAt(event.offsetX);
      strip.setPointerCapture(event.pointerId);
      selectBuckets(dragStart, dragStart);
    });
    strip.addEventListener("pointermove", function (event) {
      if (dragStart !== null) selectBuckets(dragStart, bucketAt(event.offsetX));
    });
    strip.addEventListener("pointerup", function (event) {
      if (dragStart === null) return;
      selectBuckets(dragStart, bucketAt(event.offsetX));
      dragStart = null;
      page.draw();
    });

    // The slider and the play button step one bucket at a time.
    slider.addEventListener("input", function () {
      if (!histogram.length) return;
      selectBuckets(Number(slider.value), Number(slider.value));
      page.draw();
    });
    var timer = null;
    play.addEventListener("click", function () {
      if (timer) { clearInterval(timer); timer = null; play.textContent = play.dataset.labelPlay; return; }
      play.textContent = play.dataset.labelPause;
      var i = form.elements.from.value ? Number(slider.value) : 0;
      timer = setInterval(function () {
        if (i >= histogram.length) { clearInterval(timer); timer = null; play.textContent = play.dataset.labelPlay; return; }
        selectBuckets(i, i);
        page.draw();
        i += 1;
      }, 900);
    });

    return { load: load, paint: paint };
  };
})();
