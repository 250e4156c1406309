// Report form: the location picker with its town search, and the browser's UTC offset for the event time.
(function () {
  "use strict";
  document.getElementById("tz_offset").value = String(new Date().getTimezoneOffset());
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
