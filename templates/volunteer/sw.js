// The volunteer app's service worker. Pages come from the network while there is one (and
// are kept for later); without a connection the kept copy is shown. Scripts, styles and map
// assets are served from the cache and refreshed in the background. Base-map tiles seen
// while online are kept, the latest few thousand, so that the map of the places a volunteer
// has looked at still shows without a connection.
"use strict";
var CACHE = "mapper-volunteer";  // volunteer.js deletes it on sign-out
var SCOPE = new URL(self.registration.scope).pathname;
var SHELL = {{ shell|safe }};
var ASSETS = {{ assets|safe }};
var TILES = {{ tiles|safe }};  // where the app serves tiles; "" when they come from elsewhere
var MOST_TILES = {{ most_tiles }};
// Trimmed at the first tile a worker keeps (the browser stops idle workers, and with them the
// count) and then every TRIM_EVERY tiles: the cache holds at most MOST_TILES + TRIM_EVERY.
var TRIM_EVERY = Math.max(1, Math.ceil(MOST_TILES / 30));
var tilesKept = 0;

function keep(cache, url) {
  // A redirect (to the sign-in page, once signed out) is not followed: the sign-in page
  // fetched in the background would start a session of its own, and the one the volunteer
  // is signing in with would stop matching its form.
  return fetch(url, { credentials: "same-origin", redirect: "manual" }).then(function (response) {
    if (response.ok) return cache.put(url, response);
  }).catch(function () {});
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return Promise.all(SHELL.concat(ASSETS).map(function (url) { return keep(cache, url); }));
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

function networkFirst(request) {
  return fetch(request).then(function (response) {
    if (response.ok && !response.redirected) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(request.url, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(request.url, { ignoreSearch: true }).then(function (kept) {
      return kept || caches.match(SCOPE);
    });
  });
}

function cacheFirst(event) {
  var refreshed = caches.open(CACHE).then(function (cache) { return keep(cache, event.request.url); });
  event.waitUntil(refreshed);
  return caches.match(event.request.url).then(function (kept) {
    return kept || fetch(event.request);
  });
}

function isTile(url) {
  return TILES !== "" && new URL(url).pathname.indexOf(TILES) === 0;
}

function trimTiles(cache) {
  // Oldest first: a cache lists its entries in the order they were put.
  return cache.keys().then(function (keys) {
    var tiles = keys.filter(function (key) { return isTile(key.url); });
    var extra = tiles.slice(0, Math.max(0, tiles.length - MOST_TILES));
    return Promise.all(extra.map(function (key) { return cache.delete(key); }));
  });
}

function tile(event) {
  var request = event.request;
  return caches.match(request.url).then(function (kept) {
    if (kept) return kept;
    return fetch(request).then(function (response) {
      if (response.ok && MOST_TILES > 0) {
        var copy = response.clone();
        event.waitUntil(caches.open(CACHE).then(function (cache) {
          return cache.put(request.url, copy).then(function () {
            if (tilesKept++ % TRIM_EVERY === 0) return trimTiles(cache);
          });
        }));
      }
      return response;
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  // Submissions and photos always go to the server.
  if (url.pathname.indexOf(SCOPE + "api/") === 0 || url.pathname.indexOf(SCOPE + "photos/") === 0) return;
  if (request.mode === "navigate") {
    if (url.pathname.indexOf(SCOPE) === 0) event.respondWith(networkFirst(request));
    return;
  }
  if (ASSETS.indexOf(url.pathname) !== -1) event.respondWith(cacheFirst(event));
  else if (isTile(request.url)) event.respondWith(tile(event));
});
