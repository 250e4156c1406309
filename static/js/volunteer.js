// Volunteer app: filled forms wait in IndexedDB (photos included) under a UUID made here, and
// are sent when there is a connection; the server stores each UUID once, so sending again after
// a lost reply is harmless. The queue is shown on every page of the app.
(function () {
  "use strict";
  var DB_NAME = "mapper-volunteer";
  var STORE = "outbox";
  var RETRY_MS = 10000;
  var page = document.querySelector(".volunteer-page");
  var status = document.getElementById("queue-status");
  var problems = document.getElementById("queue-problems");
  var sending = false;

  var user = page ? page.dataset.user : "";
  var CACHE = "mapper-volunteer";

  if ("serviceWorker" in navigator && page) {
    navigator.serviceWorker.register(page.dataset.sw, { scope: page.dataset.scope }).catch(function () {});
  }

  // Signing out removes the pages kept on the phone and the service worker that keeps them,
  // so nothing is fetched in the background once signed out; forms still waiting stay, and
  // are sent when the same volunteer signs in again.
  var signOut = document.getElementById("sign-out");
  if (signOut && window.caches) {
    signOut.form.addEventListener("submit", function (event) {
      event.preventDefault();
      var workers = "serviceWorker" in navigator
        ? navigator.serviceWorker.getRegistrations().then(function (registrations) {
          return Promise.all(registrations.map(function (r) { return r.unregister(); }));
        }) : Promise.resolve();
      var submit = function () { signOut.form.submit(); };
      Promise.all([caches.delete(CACHE), workers]).then(submit, submit);
    }, { once: true });
  }

  // Only this volunteer's waiting forms: another account on the same phone never sends them.
  function mine(items) {
    return items.filter(function (i) { return i.user === user; });
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () { request.result.createObjectStore(STORE, { keyPath: "id" }); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function withStore(mode, action) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result = action(tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); resolve(result && result.result); };
        tx.onerror = function () { db.close(); reject(tx.error); };
      });
    });
  }

  var outbox = {
    all: function () { return withStore("readonly", function (s) { return s.getAll(); }); },
    put: function (item) { return withStore("readwrite", function (s) { s.put(item); }); },
    remove: function (id) { return withStore("readwrite", function (s) { s.delete(id); }); },
  };

  function say(template, n) { return template.replace("{n}", String(n)); }

  function showQueue() {
    if (!status) return Promise.resolve();
    return outbox.all().then(mine).then(function (items) {
      var waiting = items.filter(function (i) { return !i.error; });
      var failed = items.filter(function (i) { return i.error; });
      status.textContent = waiting.length ? say(status.dataset.waiting, waiting.length) : status.dataset.allSent;
      status.dataset.count = String(waiting.length);
      problems.innerHTML = "";
      failed.forEach(function (item) {
        var li = document.createElement("li");
        li.textContent = status.dataset.failed + " " + item.error;
        problems.appendChild(li);
      });
    });
  }

  function send(item) {
    var body = new FormData();
    body.append("meta", JSON.stringify({
      form: item.form, version: item.version, instance_id: item.id,
      language: item.language, answers: item.answers,
    }));
    item.photos.forEach(function (photo) { body.append("photos", photo.blob, photo.name); });
    return fetch(item.url, { method: "POST", body: body, credentials: "same-origin" });
  }

  function describe(response) {
    return response.json().then(function (body) {
      return (body.errors || []).map(function (e) { return (e.field ? e.field + ": " : "") + e.message; }).join("; ");
    }).catch(function () { return String(response.status); });
  }

  // Send what waits, oldest first; stop at the first network failure and try again later.
  function flush() {
    if (sending || !navigator.onLine) return Promise.resolve();
    sending = true;
    return outbox.all().then(mine).then(function (items) {
      items.sort(function (a, b) { return a.created - b.created; });
      var chain = Promise.resolve(true);
      items.filter(function (i) { return !i.error; }).forEach(function (item) {
        chain = chain.then(function (goOn) {
          if (!goOn) return false;
          return send(item).then(function (response) {
            if (response.ok) return outbox.remove(item.id).then(function () { return true; });
            if (response.status === 401 || response.redirected) {
              status.textContent = status.dataset.signIn;
              return false;
            }
            if (response.status >= 500 || response.status === 429 || response.status === 408) return false;
            return describe(response).then(function (text) {
              item.error = text;
              return outbox.put(item).then(function () { return true; });
            });
          }, function () { return false; });
        });
      });
      return chain;
    }).then(function () { sending = false; return showQueue(); }, function () { sending = false; });
  }

  // --- the form -------------------------------------------------------------------------

  function twoDigits(n) { return (n < 10 ? "0" : "") + n; }

  // A datetime-local value with the phone's UTC offset, as RFC 3339.
  function withOffset(local) {
    var minutes = -new Date(local).getTimezoneOffset();
    var sign = minutes >= 0 ? "+" : "-";
    minutes = Math.abs(minutes);
    var seconds = local.length === 16 ? ":00" : "";
    return local + seconds + sign + twoDigits(Math.floor(minutes / 60)) + ":" + twoDigits(minutes % 60);
  }

  function setUpLocation(box) {
    var mapElement = box.querySelector(".volunteer-map");
    if (!window.L || !mapElement) return;
    var picker = window.mapperLocationPicker(mapElement, {
      lat: box.querySelector(".lat"),
      lon: box.querySelector(".lon"),
      accuracy: box.querySelector(".accuracy"),
      locate: box.querySelector(".use-location"),
    });
    box.clearLocation = picker.clear;
  }

  // The answer of one field, or undefined when it is empty.
  function answerOf(box, photos) {
    var type = box.dataset.type;
    var name = box.dataset.field;
    var input = box.querySelector("input, textarea");
    if (type === "select_many") {
      var picked = Array.prototype.map.call(box.querySelectorAll("input:checked"), function (i) { return i.value; });
      return picked.length ? picked : undefined;
    }
    if (type === "select_one" || type === "yes_no") {
      var chosen = box.querySelector("input:checked");
      return chosen ? chosen.value : undefined;
    }
    if (type === "location") {
      var lat = box.querySelector(".lat").value.trim(), lon = box.querySelector(".lon").value.trim();
      if (!lat && !lon) return undefined;
      var point = { lat: lat, lon: lon };
      var accuracy = box.querySelector(".accuracy").value;
      if (accuracy) point.accuracy = accuracy;
      return point;
    }
    if (type === "photo") {
      var file = input.files && input.files[0];
      if (!file) return undefined;
      var fileName = name + "-" + file.name.replace(/[^A-Za-z0-9._-]/g, "_");
      photos.push({ name: fileName, blob: file });
      return fileName;
    }
    var value = input.value.trim();
    if (!value) return undefined;
    return type === "datetime" ? withOffset(value) : value;
  }

  function setUpForm(form) {
    var boxes = Array.prototype.slice.call(form.querySelectorAll("[data-field]"));
    boxes.filter(function (b) { return b.dataset.type === "location"; }).forEach(setUpLocation);
    var saved = document.getElementById("saved");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var answers = {}, photos = [], missing = false;
      boxes.forEach(function (box) {
        var errors = box.querySelector(".field-errors");
        errors.innerHTML = "";
        var value = answerOf(box, photos);
        if (value === undefined && box.hasAttribute("data-required")) {
          var li = document.createElement("li");
          li.textContent = form.dataset.required;
          errors.appendChild(li);
          missing = true;
        }
        if (value !== undefined) answers[box.dataset.field] = value;
      });
      if (missing) return;
      var item = {
        id: uuid(), user: user, url: form.dataset.submitUrl, form: form.dataset.form,
        version: form.dataset.version, language: form.dataset.language,
        answers: answers, photos: photos, created: Date.now(),
      };
      outbox.put(item).then(function () {
        form.reset();
        boxes.forEach(function (box) { if (box.clearLocation) box.clearLocation(); });
        return showQueue();
      }).then(flush).then(function () {
        return outbox.all();
      }).then(function (items) {
        var waiting = items.some(function (i) { return i.id === item.id; });
        saved.textContent = waiting ? saved.dataset.offline : saved.dataset.online;
        saved.hidden = false;
      });
    });
  }

  var form = document.getElementById("volunteer-form");
  if (form) setUpForm(form);
  window.addEventListener("online", flush);
  setInterval(flush, RETRY_MS);
  showQueue().then(flush);
})();
