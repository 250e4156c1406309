// Form builder: one row per field, kept in step with the JSON the server reads (the JSON box
// stays as the way to edit without scripts, and is hidden while the rows are in use).
(function () {
  "use strict";
  var rows = document.getElementById("field-rows");
  var json = document.getElementById("fields");
  var form = document.getElementById("form-builder");
  if (!rows || !json) return;
  var TYPES = JSON.parse(rows.dataset.types);
  var STANDARD = JSON.parse(rows.dataset.standard);
  var LANGUAGES = JSON.parse(rows.dataset.languages);
  var ERRORS = JSON.parse(rows.dataset.errors);
  var TEXT = JSON.parse(rows.dataset.text);
  var CHOICE_TYPES = ["select_one", "select_many"];

  function element(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (key) {
      if (key === "text") node.textContent = attributes[key];
      else node.setAttribute(key, attributes[key]);
    });
    (children || []).forEach(function (child) { node.appendChild(child); });
    return node;
  }

  function labelled(text, control) {
    return element("label", { class: "builder-control" }, [document.createTextNode(text + " "), control]);
  }

  function choicesText(choices) {
    return (choices || []).map(function (c) {
      var label = c.label || {};
      return [c.value].concat(LANGUAGES.map(function (l) { return label[l] || ""; })).join(" | ");
    }).join("\n");
  }

  function parseChoices(text) {
    return text.split("\n").map(function (line) { return line.split("|").map(function (p) { return p.trim(); }); })
      .filter(function (parts) { return parts[0]; })
      .map(function (parts) {
        var label = {};
        LANGUAGES.forEach(function (l, i) { if (parts[i + 1]) label[l] = parts[i + 1]; });
        return { value: parts[0], label: label };
      });
  }

  function fillMapsTo(select, type, current) {
    select.innerHTML = "";
    select.appendChild(element("option", { value: "", text: TEXT.nothing }));
    Object.keys(STANDARD).forEach(function (name) {
      if (STANDARD[name].indexOf(type) === -1) return;
      var option = element("option", { value: name, text: TEXT.standard[name] });
      if (name === current) option.selected = true;
      select.appendChild(option);
    });
  }

  function row(field, index) {
    var box = element("fieldset", { class: "builder-row", "data-index": String(index) });
    box.appendChild(element("legend", { text: "#" + (index + 1) }));
    var name = element("input", { class: "f-name", value: field.name || "", maxlength: "40" });
    var type = element("select", { class: "f-type" });
    TYPES.forEach(function (t) {
      var option = element("option", { value: t, text: TEXT.types[t] });
      if (t === (field.type || "text")) option.selected = true;
      type.appendChild(option);
    });
    box.appendChild(labelled(TEXT.name, name));
    box.appendChild(labelled(TEXT.type, type));
    LANGUAGES.forEach(function (l) {
      var label = element("input", { class: "f-label", "data-lang": l, value: (field.label || {})[l] || "" });
      box.appendChild(labelled(TEXT.label + " (" + l + ")", label));
    });
    LANGUAGES.forEach(function (l) {
      var hint = element("input", { class: "f-hint", "data-lang": l, value: (field.hint || {})[l] || "" });
      box.appendChild(labelled(TEXT.hint + " (" + l + ")", hint));
    });
    var required = element("input", { type: "checkbox", class: "f-required" });
    required.checked = !!field.required;
    var secret = element("input", { type: "checkbox", class: "f-private" });
    secret.checked = !!field.private;
    box.appendChild(labelled(TEXT.required, required));
    box.appendChild(labelled(TEXT.private, secret));
    var mapsTo = element("select", { class: "f-maps-to" });
    fillMapsTo(mapsTo, field.type || "text", field.maps_to);
    box.appendChild(labelled(TEXT.maps_to, mapsTo));
    var choices = element("textarea", { class: "f-choices", rows: "4" });
    choices.value = choicesText(field.choices);
    var choicesBox = labelled(TEXT.choices, choices);
    box.appendChild(choicesBox);
    function showChoices() { choicesBox.hidden = CHOICE_TYPES.indexOf(type.value) === -1; }
    type.addEventListener("change", function () { fillMapsTo(mapsTo, type.value, mapsTo.value); showChoices(); sync(); });
    showChoices();
    [["up", -1], ["down", 1]].forEach(function (move) {
      var button = element("button", { type: "button", text: TEXT[move[0]] });
      button.addEventListener("click", function () { moveRow(index, move[1]); });
      box.appendChild(button);
    });
    var remove = element("button", { type: "button", class: "f-remove", text: TEXT.remove });
    remove.addEventListener("click", function () { var all = read(); all.splice(index, 1); render(all); });
    box.appendChild(remove);
    var problems = element("ul", { class: "field-errors" });
    Object.keys(ERRORS).forEach(function (key) {
      if (key.indexOf("fields[" + index + "]") === 0) {
        ERRORS[key].forEach(function (message) { problems.appendChild(element("li", { text: message })); });
      }
    });
    box.appendChild(problems);
    return box;
  }

  function read() {
    return Array.prototype.map.call(rows.querySelectorAll(".builder-row"), function (box) {
      function texts(cls) {
        var out = {};
        box.querySelectorAll(cls).forEach(function (input) { if (input.value.trim()) out[input.dataset.lang] = input.value.trim(); });
        return out;
      }
      var type = box.querySelector(".f-type").value;
      return {
        name: box.querySelector(".f-name").value.trim(),
        type: type,
        label: texts(".f-label"),
        hint: texts(".f-hint"),
        required: box.querySelector(".f-required").checked,
        private: box.querySelector(".f-private").checked,
        choices: CHOICE_TYPES.indexOf(type) === -1 ? [] : parseChoices(box.querySelector(".f-choices").value),
        maps_to: box.querySelector(".f-maps-to").value || null,
      };
    });
  }

  function sync() { json.value = JSON.stringify(read(), null, 1); }

  function render(fields) {
    rows.innerHTML = "";
    fields.forEach(function (field, index) { rows.appendChild(row(field, index)); });
    sync();
  }

  function moveRow(index, step) {
    var all = read();
    var target = index + step;
    if (target < 0 || target >= all.length) return;
    var moved = all.splice(index, 1)[0];
    all.splice(target, 0, moved);
    render(all);
  }

  var initial;
  try { initial = JSON.parse(json.value || "[]"); } catch (e) { return; }  // leave the JSON to fix
  if (!Array.isArray(initial)) return;
  json.closest(".field").hidden = true;
  render(initial);
  rows.addEventListener("input", sync);
  rows.addEventListener("change", sync);
  document.getElementById("add-field").addEventListener("click", function () {
    var all = read();
    all.push({ type: "text", required: false });
    render(all);
    rows.lastChild.querySelector(".f-name").focus();
  });
  form.addEventListener("submit", sync);
})();
