// Towns of the app's own gazetteer by their first letters, listed under `input`; choosing one
// calls `chosen` with it. Nothing is asked of any other site.
window.mapperPlaceSearch = function (input, list, chosen) {
  "use strict";
  var timer = null, asked = 0;

  function show(places) {
    list.replaceChildren();
    places.forEach(function (found) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      var where = document.createElement("small");
      button.type = "button";
      button.textContent = found.name + " ";
      where.textContent = [found.admin_area, found.country].filter(Boolean).join(", ");
      button.appendChild(where);
      button.addEventListener("click", function () {
        input.value = found.name;
        list.hidden = true;
        chosen(found);
      });
      item.appendChild(button);
      list.appendChild(item);
    });
    list.hidden = places.length === 0;
  }

  function ask() {
    var query = input.value.trim();
    var mine = ++asked;
    if (query.length < 2) { show([]); return; }
    fetch(input.dataset.placesUrl + "?limit=6&q=" + encodeURIComponent(query))
      .then(function (response) { return response.ok ? response.json() : { places: [] }; })
      .then(function (answer) { if (mine === asked) show(answer.places); })
      .catch(function () { if (mine === asked) show([]); });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 200);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Escape") list.hidden = true;
    if (event.key === "Enter") {
      // Enter picks the first town listed; it never sends the form from here.
      event.preventDefault();
      var first = list.hidden ? null : list.querySelector("button");
      if (first) first.click();
    }
    if (event.key === "ArrowDown" && !list.hidden) {
      event.preventDefault();
      list.querySelector("button").focus();
    }
  });
};
