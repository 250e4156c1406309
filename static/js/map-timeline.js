// The time strip under the map: a histogram of event dates over the view with a date axis,
// the dates and count under the pointer, a range dragged out on it, and a slider and play
// button that step through time a bucket at a time.
(function () {
  "use strict";

  // `page`: the map page's `getJson(path, query)`, `viewQuery()`, `draw()` and `words`, and
  // the histogram's address. Returns `load()` (fetch and paint) and `paint()` (repaint).
  window.mapperTimeline = function (form, page) {
    var strip = document.getElementById("histogram");
    var slider = document.getElementById("time-slider");
    var play = document.getElementById("play");
    var axis = document.getElementById("histogram-axis");
    var readout = document.getElementById("histogram-readout");
    var words = page.words, labels = strip.dataset;
    var histogram = [];

    // The histogram covers every date; the selected range is shaded and can be dragged out.
    function load() {
      var query = page.viewQuery();
      query.delete("from");
      query.delete("to");
      query.set("bucket", form.elements.bucket.value);
      return page.getJson(page.histogramUrl, query).then(function (answer) {
        histogram = answer.buckets;
        slider.max = String(Math.max(0, histogram.length - 1));
        if (histogram.length) slider.setAttribute("aria-valuetext", describe(Number(slider.value), Number(slider.value)));
        paint();
        paintAxis();
      });
    }

    // A bucket's dates: "March 2024", "Week of Mar 4, 2024", "Mar 4, 2024".
    function label(i) {
      var start = histogram[i].start, kind = form.elements.bucket.value;
      if (kind === "month") return words.date(start, "month");
      var day = words.date(start, "day");
      return kind === "week" ? labels.labelWeek.replace("{date}", day) : day;
    }
    // "March 2024 – May 2024: 312 reports".
    function describe(lo, hi) {
      var n = 0;
      for (var i = lo; i <= hi; i++) n += histogram[i].count;
      var period = lo === hi ? label(lo) : label(lo) + " – " + label(hi);
      return words.count(n, labels, "bucket").replace("{period}", period);
    }

    // Over the strip, the buckets under the pointer, being dragged out or stepped through.
    function show(lo, hi) {
      readout.textContent = describe(lo, hi);
      readout.hidden = false;
      var width = strip.clientWidth, middle = (lo + hi + 1) / 2 * width / histogram.length;
      readout.style.left = Math.max(0, Math.min(middle - readout.offsetWidth / 2, width - readout.offsetWidth)) + "px";
    }
    function hide() {
      if (dragStart === null && !timer && document.activeElement !== slider) readout.hidden = true;
    }

    // A tick where each year begins (each month, over less than three years; each day, over
    // less than two months), as many as fit side by side.
    function paintAxis() {
      axis.textContent = "";
      if (!histogram.length) return;
      var first = histogram[0].start, last = histogram[histogram.length - 1].start;
      var months = (last.slice(0, 4) - first.slice(0, 4)) * 12 + (last.slice(5, 7) - first.slice(5, 7));
      var unit = months >= 36 ? 4 : months >= 2 ? 7 : 10;  // the characters of a date that name its tick
      if (form.elements.bucket.value === "month") unit = Math.min(unit, 7);  // no day ticks on months
      var width = strip.clientWidth, w = width / histogram.length, right = -Infinity;
      histogram.forEach(function (b, i) {
        var begins = i > 0 ? b.start.slice(0, unit) !== histogram[i - 1].start.slice(0, unit)
          : unit === 10 || b.start.slice(unit) === (unit === 4 ? "-01-01" : "-01");
        if (!begins) return;
        var tick = axis.appendChild(document.createElement("span"));
        tick.textContent = unit === 4 ? b.start.slice(0, 4)
          : unit === 10 ? words.date(b.start, "dayMonth")
          : b.start.slice(5, 7) === "01" || right < 0 ? words.date(b.start, "monthShort") : words.monthAlone(b.start);
        tick.style.left = i * w + "px";
        if (tick.offsetLeft < right + 6 || tick.offsetLeft + tick.offsetWidth > width) axis.removeChild(tick);
        else right = tick.offsetLeft + tick.offsetWidth;
      });
    }
    window.addEventListener("resize", function () { paint(); paintAxis(); });

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
    // The last day of bucket i: the day before the next one starts (for the last bucket, by
    // the calendar: a month is not a fixed number of days).
    function endOf(i) {
      var start = new Date(histogram[i].start + "T00:00:00Z"), kind = form.elements.bucket.value;
      var next = histogram[i + 1] ? Date.parse(histogram[i + 1].start + "T00:00:00Z")
        : kind === "month" ? Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1)
        : start.getTime() + (kind === "week" ? 7 : 1) * 864e5;
      return new Date(next - 864e5).toISOString().slice(0, 10);
    }
    function selectBuckets(a, b) {
      var lo = Math.min(a, b), hi = Math.max(a, b);
      form.elements.from.value = histogram[lo].start;
      form.elements.to.value = endOf(hi);
      slider.value = String(hi);
      slider.setAttribute("aria-valuetext", describe(lo, hi));
      show(lo, hi);
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
      if (!histogram.length) return;
      if (dragStart !== null) selectBuckets(dragStart, bucketAt(event.offsetX));
      else show(bucketAt(event.offsetX), bucketAt(event.offsetX));
    });
    strip.addEventListener("pointerleave", hide);
    strip.addEventListener("pointerup", function (event) {
      if (dragStart === null) return;
      selectBuckets(dragStart, bucketAt(event.offsetX));
      dragStart = null;
      page.draw();
    });
    slider.addEventListener("focus", function () {
      if (histogram.length) show(Number(slider.value), Number(slider.value));
    });
    slider.addEventListener("blur", hide);

    // The slider and the play button step one bucket at a time.
    slider.addEventListener("input", function () {
      if (!histogram.length) return;
      selectBuckets(Number(slider.value), Number(slider.value));
      page.draw();
    });
    // A step lasts STEP_MS, or until its map is drawn if that takes longer: stepping on
    // regardless, a slow answer (Gi* over many reports takes seconds) was always overtaken
    // by the next step's and the map stayed as it was.
    var STEP_MS = 900, timer = null, run = 0;
    play.addEventListener("click", function () {
      if (timer) { stop(); return; }
      play.textContent = play.dataset.labelPause;
      var mine = ++run, i = form.elements.from.value ? Number(slider.value) : 0;
      function step() {
        if (mine !== run) return;
        if (i >= histogram.length) { stop(); return; }
        var began = Date.now();
        selectBuckets(i, i);
        i += 1;
        Promise.resolve(page.draw()).then(function () {
          if (mine === run) timer = setTimeout(step, Math.max(0, STEP_MS - (Date.now() - began)));
        });
      }
      timer = setTimeout(step, 0);
    });

    function stop() {
      clearTimeout(timer);
      timer = null;
      run += 1;
      play.textContent = play.dataset.labelPlay;
      hide();
    }

    return { load: load, paint: paint };
  };
})();
