// LookCloser's service worker (scope /), written by hand. It keeps the blank pages (the chooser
// and every setting's form, in each language this phone has used) and the CSS and JS, so they
// open with no signal; and it sends reports saved on the phone when the signal returns.
// It keeps the information pages (about, privacy, accessibility, cookies) in the same way.
// Never kept: the outcome page, staff pages, and any page that answered a POST, so nothing a
// reporter typed is ever in its caches. The danger numbers are in every page it keeps.
"use strict";
var VERSION = {{ version|tojson }};
var ASSETS = {{ assets|tojson }};
var SECTORS = {{ sectors|tojson }};
var INFO = {{ info|tojson }};  // the information pages' paths
var LOCALES = {{ locales|tojson }};
var WAIT = {{ wait_ms|tojson }};
var LATER = 3 * WAIT;  // for a send from the outbox: the reporter has been told already
var STATIC = "static-" + VERSION;
var PAGES = "pages";
var META = "meta";
// "I saw them again" waits on the phone as a report does; its answer lands on THANKS.
var SIGHTING = "/follow-up/seen-again", THANKS = "/follow-up/thanks";

// The outbox: reports sent with no signal, kept in this phone's IndexedDB until they go.
function withOutbox(mode, work) {
  return new Promise(function (resolve, reject) {
    var open = indexedDB.open("lookcloser", 1);
    open.onupgradeneeded = function () { open.result.createObjectStore("outbox", {keyPath: "key"}); };
    open.onerror = function () { reject(open.error); };
    open.onsuccess = function () {
      var db = open.result, tx = db.transaction("outbox", mode);
      var request = work(tx.objectStore("outbox"));
      tx.oncomplete = function () { db.close(); resolve(request.result); };
      tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
    };
  });
}
var outbox = {
  put: function (item) { return withOutbox("readwrite", function (s) { return s.put(item); }); },
  all: function () { return withOutbox("readonly", function (s) { return s.getAll(); }); },
  remove: function (key) { return withOutbox("readwrite", function (s) { return s.delete(key); }); }
};

// The blank page for a setting in a language: the one address under which it is kept.
function pageFor(sector, lang) {
  var query = sector ? "sector=" + encodeURIComponent(sector) + "&" : "";
  return (sector ? "/report?" : "/?") + query + "lang=" + encodeURIComponent(lang || "en");
}
function infoFor(path, lang) {
  return path + "?lang=" + encodeURIComponent(lang || "en");
}

// Lie-fi: the phone says it is online, the connection opens, and no answer comes. A request
// with no answer within WAIT is given up (aborted, so it holds no connection), and what it was
// for goes on from the phone: a report to the outbox, a page from the pages kept here.
// `read` (reading the body) is inside the same limit. A send from the outbox, once the reporter
// has been told, may take longer (`limit`): a slow link that does answer must get it through.
function within(request, options, read, limit) {
  var stop = new AbortController();
  var timer = setTimeout(function () { stop.abort(); }, limit || WAIT);
  return fetch(request, Object.assign({}, options, {signal: stop.signal}))
    .then(read || function (response) { return response; })
    .finally(function () { clearTimeout(timer); });
}

function syncLater() {
  return self.registration.sync ? self.registration.sync.register("send-reports") : null;
}

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
  return within(url, {credentials: "omit", cache: "no-store"}, function (response) {
    return response.ok ? response.text() : null;
  }).then(function (html) {
    if (html === null) { return; }
    // Marks a page opened from the phone rather than from the server.
    html = html.replace("<html ", "<html data-offline-copy ");
    return cache.put(url, new Response(html, {headers: {
      "Content-Type": "text/html; charset=utf-8", "Content-Language": lang}}));
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
    var urls = [pageFor("", lang)].concat(SECTORS.map(function (s) { return pageFor(s, lang); }))
      .concat(INFO.map(function (path) { return infoFor(path, lang); }));
    // One page after another: a phone on a weak signal is not flooded while its reporter types.
    return urls.reduce(function (done, url) {
      return done.then(function () { return keep(cache, url, lang); });
    }, Promise.resolve()).then(function () { return remembered("langs"); })
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

// What the pages ask: keep a language's pages; or how the reports on the phone stand (after
// trying to send them, with `send`). Each report sent or refused is told once, then dropped.
self.addEventListener("message", function (event) {
  var data = event.data || {}, reply = event.ports[0];
  if (data.keep) {
    event.waitUntil(Promise.all([warm(data.keep), remember("lang", data.keep)]));
  } else if (data.forget) {
    event.waitUntil(outbox.remove(data.forget));  // an unsent report its owner deleted
  } else if (data.status && reply) {
    event.waitUntil((data.send ? flush() : Promise.resolve()).catch(function () {}).then(summary)
      .then(function (answer) { reply.postMessage(answer); }));
  }
});

// One summary at a time: a report sent is told once, even to two questions at once.
var summing = Promise.resolve();
function summary() {
  var next = summing.then(tally);
  summing = next.catch(function () {});
  return next;
}

function tally() {
  var answer = {sent: [], refused: [], waiting: [], busy: []};
  return outbox.all().then(function (items) {
    return Promise.all(items.map(function (item) {
      if (item.sent || item.refused) {
        answer[item.sent ? "sent" : "refused"].push(item.sent ? item : item.sector);
        return outbox.remove(item.key);
      }
      answer.waiting.push(item.sector);
      if (item.busy) { answer.busy.push(item.sector); }
    }));
  }).then(function () { return answer; });
}

function fromPhone(url) {
  return remembered("lang").then(function (last) {
    var lang = url.searchParams.get("lang") || last || "en";
    var sector = url.searchParams.get("sector");
    sector = SECTORS.indexOf(sector) >= 0 ? sector : "";
    var kept = INFO.indexOf(url.pathname) >= 0 ? infoFor(url.pathname, lang) : pageFor(sector, lang);
    return caches.open(PAGES).then(function (cache) {
      return cache.match(kept).then(function (hit) {
        return hit || cache.match(pageFor("", lang));
      });
    });
  }).then(function (hit) { return hit || Response.error(); });
}

// From the server; with no signal, or no answer within WAIT, the page kept on the phone (if
// there is none, the server's answer is still awaited).
function page(event, url) {
  var network = fetch(event.request).then(function (response) {
    var lang = response.headers.get("Content-Language");
    if (response.ok && lang) { event.waitUntil(Promise.all([warm(lang), remember("lang", lang)])); }
    return response;
  });
  var late = new Promise(function (resolve) { setTimeout(resolve, WAIT); }).then(function () {
    return fromPhone(url);
  }).then(function (kept) { return kept.type === "error" ? network : kept; });
  return Promise.race([network, late]).catch(function () { return fromPhone(url); });
}

// A kept report or sighting, sent as its form would send it. The public forms carry no token
// (cross-site posts are refused by their headers: public/cross_origin.py), so what was kept
// needs nothing from the session the page had.
function post(fields, lang, read, limit, path) {
  var body = new URLSearchParams();
  fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
  return within((path || "/report") + "?lang=" + encodeURIComponent(lang),
                {method: "POST", body: body, credentials: "same-origin", redirect: "follow"},
                read, limit);
}

function tell(message) {
  return self.clients.matchAll({type: "window"}).then(function (windows) {
    windows.forEach(function (w) { w.postMessage(message); });
  });
}

// Not a report but a step of the form (another language, another setting), with no signal:
// the page kept on this phone for it. A language this phone never used has none: back to the
// form in the language it had, which says that this needs a signal (the draft keeps the answers).
function elsewhere(value, lang) {
  var wanted = value.switch_lang || lang, sector = value.changed_from || value.sector;
  return caches.open(PAGES).then(function (cache) {
    return value.switch_lang ? cache.match(pageFor(sector, wanted)) : null;
  }).then(function (hit) {
    var url = hit ? pageFor(sector, wanted) : pageFor(sector, lang) + "&needs_signal=1";
    return Response.redirect(url, 303);
  });
}

// A report sent from the form. With no signal, or no answer within WAIT (lie-fi), it is kept on
// the phone: the answer is "204 No Content", so the page stays as it is, answers and all, and
// is told "kept" to say so. The idempotency key keeps it to one report, even when the server
// stored it and only its answer was lost.
function sendOrKeep(request) {
  var copy = request.clone(), path = new URL(request.url).pathname === SIGHTING ? SIGHTING : "";
  var fields = copy.formData().then(function (body) {
    var list = [];
    body.forEach(function (value, name) {
      if (typeof value === "string") { list.push([name, value]); }
    });
    return list;
  });
  return within(request).catch(function () {
    return Promise.all([fields, remembered("lang")]).then(function (found) {
      var list = found[0], lang = found[1] || "en", value = {};
      list.forEach(function (pair) { value[pair[0]] = pair[1]; });
      if (value.switch_lang || value.change_setting || value.changed_from) {
        return elsewhere(value, lang);
      }
      var known = path ? !!value.reference : SECTORS.indexOf(value.sector) >= 0;
      if (!value.idempotency_key || !known) { return Response.error(); }
      var item = {key: value.idempotency_key, sector: path ? "" : value.sector, lang: lang,
                  at: Date.now(), fields: list, path: path};
      return outbox.put(item).then(syncLater).catch(function () {}).then(function () {
        return tell("kept").catch(function () {});
      }).then(function () { return new Response(null, {status: 204}); });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.method === "POST") {
    // Only a form of one of our own pages (a client of this worker). A post from another
    // site's page is left to the browser, which says so in its headers, and the server
    // refuses it (public/cross_origin.py): sent on from here it would look like our own.
    if (request.mode === "navigate" && (url.pathname === "/report" || url.pathname === SIGHTING) &&
        event.clientId) {
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
  } else if (request.mode === "navigate" && (url.pathname === "/" || url.pathname === "/report" ||
                                             INFO.indexOf(url.pathname) >= 0)) {
    event.respondWith(page(event, url));
  }
});

// Sending what waits on the phone: from Background Sync, or when a page sees the signal back.
// One at a time, each with its key, so a report that goes twice is still stored once.
// No answer within LATER is "not now" too. Our service answering "not now" (429, 5xx) is
// recorded as `busy`: the wait is then not for the signal, and the page says so.
function sendOne(item) {
  return post(item.fields, item.lang, function (response) {
    if (response.status === 429 || response.status >= 500) {
      throw new Error("busy");  // kept; Background Sync or the page tries again later
    }
    var done = item.path ? THANKS : "/report/done";
    var stored = response.ok && new URL(response.url).pathname === done;
    return stored ? response.text() : null;
  }, LATER, item.path).then(function (html) {
    if (html === null) {
      item.refused = true;  // answers the server would not take: the page shows why
    } else {
      var reference = /LC-[0-9A-Z]{4}-[0-9A-Z]{4}/.exec(html);
      item.sent = true;
      item.reference = reference ? reference[0] : "";
    }
    return outbox.put(item);  // the next page clears the draft and shows the reference
  }, function (error) {
    item.busy = error.message === "busy";
    return outbox.put(item).then(function () { throw error; });
  });
}

var flushing = null;
function flush() {
  if (!flushing) {
    flushing = outbox.all().then(function (items) {
      return items.filter(function (item) { return !item.sent && !item.refused; })
        .reduce(function (done, item) {
          return done.then(function () { return sendOne(item); });
        }, Promise.resolve());
    }).then(function () { flushing = null; }, function (error) { flushing = null; throw error; });
  }
  return flushing;
}

self.addEventListener("sync", function (event) {
  if (event.tag !== "send-reports") { return; }
  event.waitUntil(flush().then(function () { return tell("sent"); }));
});
