// Quick exit: blank the page at once, then replace it (and its history entry) with a neutral site.
(function () {
  "use strict";
  var button = document.getElementById("quick-exit");
  if (!button) return;
  function leave() {
    document.title = "";
    document.body.innerHTML = "";
    window.location.replace(button.dataset.url);
  }
  button.addEventListener("click", leave);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") leave();
  });
})();
