// LookCloser's service worker (scope /), written by hand. It keeps the blank pages (the chooser
// and every setting's form, in each language this phone has used) and the CSS and JS, so they
// open with no signal; and it sends reports saved on the phone when the signal returns.
// Never kept: the outcome page, staff pages, and any page that answered a POST, so nothing a
// reporter typed is ever in its caches. The danger numbers are in every page it keeps.
"use strict";
var VERSION = {{ version|tojson }};
var ASSETS = {{ assets|tojson }};
var SECTORS = {{ sectors|tojson }};
var LOCALES = {{ locales|tojson }};
var STATIC = "static-" + VERSION;
var PAGES = "pages";
var META = "meta";
importScripts({{ outbox|tojson }});
var pageFor = lookcloser.pageFor;
var outbox = lookcloser.outbox;

function remembered(name) {
  return caches.open(META).then(function (cache) { return cache.match("/offline/" + name); })
    .then(function (hit) { return hit ? hit.json() : null; });
}
function remember(name, value) {
  return caches.open(META).then(function (cache) {
    return cache.put("/offline/" + name, new Response(JSON.stringify(value)));
  });
}

// A blank page, fetched by the worker itself without cookies: no session, no answers.
function keep(cache, url, lang) {
  return fetch(url, {credentials: "omit", cache: "no-store"}).then(function (response) {
    if (!response.ok) { return; }
    return response.text().then(function (html) {
      // Marks a copy opened from the phone: its script fetches a fresh token before sending.
      html = html.replace("<html ", "<html data-offline-copy ");
      return cache.put(url, new Response(html, {headers: {
        "Content-Type": "text/html; charset=utf-8", "Content-Language": lang}}));
    });
  });
}

// Each language this phone has used, with the version its pages were last fetched for.
var warming = {};
function warm(lang) {
  if (!warming[lang]) {
    warming[lang] = fetchPages(lang).then(function () { delete warming[lang]; });
  }
  return warming[lang];
}
function fetchPages(lang) {
  if (LOCALES.indexOf(lang) < 0) { return Promise.resolve(); }
  return Promise.all([caches.open(PAGES), remembered("langs")]).then(function (found) {
    var cache = found[0], langs = found[1] || {};
    if (langs[lang] === VERSION) { return; }
    var urls = [pageFor("", lang)].concat(SECTORS.map(function (s) { return pageFor(s, lang); }));
    return Promise.all(urls.map(function (url) { return keep(cache, url, lang); }))
      .then(function () { return remembered("langs"); })
      .then(function (now) {
        now = now || {};
        now[lang] = VERSION;
        return remember("langs", now);
      });
  }).catch(function () {});
}

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(STATIC).then(function (cache) { return cache.addAll(ASSETS); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("static-") === 0 && name !== STATIC;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }).then(function () {
    // A new version: fetch again every language this phone has used.
    return remembered("langs").then(function (langs) {
      return Promise.all(Object.keys(langs || {}).map(warm));
    });
  }));
});

self.addEventListener("message", function (event) {
  if (event.data && event.data.keep) {
    event.waitUntil(Promise.all([warm(event.data.keep), remember("lang", event.data.keep)]));
  }
});

function fromPhone(url) {
  return remembered("lang").then(function (last) {
    var lang = url.searchParams.get("lang") || last || "en";
    var sector = url.searchParams.get("sector");
    sector = SECTORS.indexOf(sector) >= 0 ? sector : "";
    return caches.open(PAGES).then(function (cache) {
      return cache.match(pageFor(sector, lang)).then(function (hit) {
        return hit || cache.match(pageFor("", lang));
      });
    });
  }).then(function (hit) { return hit || Response.error(); });
}

function page(event, url) {
  return fetch(event.request).then(function (response) {
    var lang = response.headers.get("Content-Language");
    if (response.ok && lang) { event.waitUntil(Promise.all([warm(lang), remember("lang", lang)])); }
    return response;
  }).catch(function () { return fromPhone(url); });
}

// A report sent with no signal: kept on the phone, and the reporter is told so.
function sendOrKeep(request) {
  var copy = request.clone();
  return fetch(request).catch(function () {
    return Promise.all([copy.formData(), remembered("lang")]).then(function (found) {
      var body = found[0], lang = found[1] || "en", sector = body.get("sector") || "";
      if (body.get("switch_lang")) {
        return Response.redirect(pageFor(sector, body.get("switch_lang")), 303);
      }
      var fields = [];
      body.forEach(function (value, name) {
        if (name !== "csrf_token" && typeof value === "string") { fields.push([name, value]); }
      });
      var key = body.get("idempotency_key");
      if (!key || SECTORS.indexOf(sector) < 0) { return Response.error(); }
      var item = {key: key, sector: sector, lang: lang, at: Date.now(), fields: fields};
      return outbox.put(item).then(function () {
        return self.registration.sync && self.registration.sync.register("send-reports");
      }).catch(function () {}).then(function () {
        return Response.redirect(pageFor(sector, lang), 303);
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.method === "POST") {
    if (request.mode === "navigate" && url.pathname === "/report") {
      event.respondWith(sendOrKeep(request));
    }
    return;
  }
  if (request.method !== "GET") { return; }
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(caches.match(request).then(function (hit) {
      return hit || fetch(request).catch(function () {
        return caches.match(request, {ignoreSearch: true});
      });
    }).then(function (response) { return response || Response.error(); }));
  } else if (request.mode === "navigate" && (url.pathname === "/" || url.pathname === "/report")) {
    event.respondWith(page(event, url));
  }
});

// Background Sync: the signal is back. A reporter looking at the form sends from the page,
// so they see the reference or what to correct; otherwise the worker sends on its own.
function sendOne(item) {
  return lookcloser.freshToken(item).then(function (token) {
    var body = new URLSearchParams();
    item.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
    body.set("csrf_token", token);
    return fetch("/report?lang=" + encodeURIComponent(item.lang),
                 {method: "POST", body: body, credentials: "same-origin"});
  }).then(function (response) {
    if (!(response.ok && new URL(response.url).pathname === "/report/done")) { return; }
    return response.text().then(function (html) {
      var reference = /LC-[0-9A-Z]{4}-[0-9A-Z]{4}/.exec(html);
      item.sent = true;
      item.reference = reference ? reference[0] : "";
      return outbox.put(item);  // the page clears the draft and shows the reference
    });
  });
}

self.addEventListener("sync", function (event) {
  if (event.tag !== "send-reports") { return; }
  event.waitUntil(self.clients.matchAll({type: "window"}).then(function (windows) {
    var open = windows.filter(function (w) {
      var path = new URL(w.url).pathname;
      return w.visibilityState === "visible" && (path === "/" || path.indexOf("/report") === 0);
    });
    if (open.length) {
      open.forEach(function (w) { w.postMessage("send-reports"); });
      return;
    }
    return outbox.all().then(function (items) {
      return items.filter(function (item) { return !item.sent; }).reduce(function (done, item) {
        return done.then(function () { return sendOne(item); });
      }, Promise.resolve());
    });
  }));
});
