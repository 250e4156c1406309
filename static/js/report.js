// Report form: the location picker with its town search, and the browser's UTC offset for the
// event time.
(function () {
  "use strict";
  // The UTC offset of the time entered, which summer time may make differ from today's.
  var offset = document.getElementById("tz_offset"), when = document.getElementById("occurred_at");
  offset.value = String(new Date().getTimezoneOffset());
  when.form.addEventListener("submit", function () {
    if (when.value) offset.value = String(new Date(when.value).getTimezoneOffset());
  });
  var picker = window.mapperLocationPicker(document.getElementById("report-map"), {
    lat: document.getElementById("latitude"),
    lon: document.getElementById("longitude"),
    accuracy: document.getElementById("accuracy"),
    locate: document.getElementById("use-location"),
    place: document.getElementById("place_name"),
    suggestions: document.getElementById("place-suggestions"),
  });
  document.getElementById("clear-location").addEventListener("click", picker.clear);
})();
