// The embed builder: options become an /embed/map address, shown live and as an <iframe> snippet.
(function () {
  "use strict";
  var form = document.getElementById("embed-options");
  var preview = document.getElementById("embed-preview");
  var snippet = document.getElementById("embed-snippet");
  var view = null;
  var reload = null;

  function address() {
    var query = new URLSearchParams();
    ["layer", "category", "from", "to", "lang"].forEach(function (name) {
      var value = form.elements[name].value;
      if (value) query.set(name, value);
    });
    if (view) ["lat", "lon", "z"].forEach(function (name) { query.set(name, view.get(name)); });
    return form.dataset.embedUrl + "?" + query.toString();
  }

  function size(name) {
    var value = parseInt(form.elements[name].value, 10);
    return Math.min(3000, Math.max(200, isFinite(value) ? value : 500));
  }

  function escapeAttribute(text) {
    return text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
  }

  // The preview loads once the options stop changing, in a new frame: a page still loading
  // an earlier choice is dropped with its frame and can never be the one left showing.
  function showPreview(url) {
    clearTimeout(reload);
    reload = setTimeout(function () {
      if (preview.getAttribute("src") === url) return;
      var fresh = preview.cloneNode(false);
      fresh.src = url;
      preview.parentNode.replaceChild(fresh, preview);
      preview = fresh;
    }, 250);
  }

  function update() {
    var url = address();
    preview.width = size("width");
    preview.height = size("height");
    showPreview(url);
    snippet.value = '<iframe src="' + escapeAttribute(url) + '" width="' + size("width") +
      '" height="' + size("height") + '" style="border:0" loading="lazy" ' +
      'title="mapper" referrerpolicy="no-referrer"></iframe>';
  }

  form.addEventListener("input", update);
  form.addEventListener("change", update);
  document.getElementById("use-view").addEventListener("click", function () {
    var state = new URLSearchParams(preview.contentWindow.location.search);
    if (state.has("z")) view = state;
    update();
  });
  document.getElementById("copy-snippet").addEventListener("click", function (event) {
    snippet.select();
    if (navigator.clipboard) navigator.clipboard.writeText(snippet.value).catch(function () {});
    event.target.textContent = event.target.dataset.labelCopied;
  });
  update();
}());
