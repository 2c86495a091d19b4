// Weak signal, nothing lost. Progressive enhancement: without this file the form works as before.
// Loaded by the pages and, through importScripts, by the service worker (/sw.js): the outbox
// below is shared by both. What a reporter types stays on this phone (localStorage: the draft;
// IndexedDB: the outbox of reports waiting for signal) until it is sent; nothing goes elsewhere.
var lookcloser = (function () {
  "use strict";
  var STORE = "outbox";

  function database() {
    return new Promise(function (resolve, reject) {
      var open = indexedDB.open("lookcloser", 1);
      open.onupgradeneeded = function () { open.result.createObjectStore(STORE, {keyPath: "key"}); };
      open.onsuccess = function () { resolve(open.result); };
      open.onerror = function () { reject(open.error); };
    });
  }

  function withStore(mode, work) {
    return database().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var request = work(tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); resolve(request.result); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }

  var outbox = {
    put: function (item) { return withStore("readwrite", function (s) { return s.put(item); }); },
    all: function () { return withStore("readonly", function (s) { return s.getAll(); }); },
    remove: function (key) { return withStore("readwrite", function (s) { return s.delete(key); }); }
  };

  // The blank page for a setting in a language: the one address under which it is kept.
  function pageFor(sector, lang) {
    var query = sector ? "sector=" + encodeURIComponent(sector) + "&" : "";
    return (sector ? "/report?" : "/?") + query + "lang=" + encodeURIComponent(lang || "en");
  }

  // A fresh page from the server: its CSRF token belongs to this browser's session now.
  function freshToken(item) {
    return fetch(pageFor(item.sector, item.lang), {credentials: "same-origin", cache: "no-store"})
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var found = /name="csrf_token" value="([^"]*)"/.exec(html);
        return found ? found[1] : "";
      });
  }

  return {outbox: outbox, pageFor: pageFor, freshToken: freshToken};
})();

(function () {
  "use strict";
  if (typeof document === "undefined") { return; }  // in the service worker: the outbox only
  var store = null;
  try { store = window.localStorage; store.getItem("x"); } catch (e) { store = null; }
  var lang = document.documentElement.lang;
  var PENDING = "lookcloser-pending";
  var SKIP = {csrf_token: 1, website: 1, idempotency_key: 1, sector: 1, switch_lang: 1};

  function read(name) {
    try { return JSON.parse(store.getItem(name)); } catch (e) { return null; }
  }
  function show(id) {
    var block = document.getElementById(id);
    if (block) { block.hidden = false; }
    return block;
  }
  function newKey() {
    var bytes = new Uint8Array(18);
    crypto.getRandomValues(bytes);
    return btoa(String.fromCharCode.apply(null, bytes)).replace(/\+/g, "-").replace(/\//g, "_");
  }

  if ("serviceWorker" in navigator) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/sw.js").then(function () {
        return navigator.serviceWorker.ready;
      }).then(function (registration) {
        // Keep this page's setting and language for a day without signal.
        registration.active.postMessage({keep: lang});
      }).catch(function () {});
    });
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data === "send-reports") { sendSaved(); }
    });
  }
  if (!store) { return; }
  var form = document.getElementById("report-form");
  var sector = form && form.elements.sector.value;

  // Sent from a page, not in the background: the reporter sees the reference, or what to fix.
  var sending = false;
  function sendSaved() {
    if (sending || !navigator.onLine) { return; }
    lookcloser.outbox.all().then(function (items) {
      var item = items.filter(function (i) { return !i.sent; })[0];
      if (!item) { return; }
      sending = true;
      return lookcloser.freshToken(item).then(function (token) {
        var replay = document.createElement("form");
        replay.method = "post";
        replay.action = "/report?lang=" + encodeURIComponent(item.lang);
        replay.hidden = true;
        item.fields.concat([["csrf_token", token]]).forEach(function (pair) {
          var input = document.createElement("input");
          input.type = "hidden";
          input.name = pair[0];
          input.value = pair[1];
          replay.appendChild(input);
        });
        document.body.appendChild(replay);
        store.setItem(PENDING, JSON.stringify(
          {draft: "lookcloser-draft:" + item.sector, key: item.key, at: Date.now()}));
        replay.submit();
      });
    }).catch(function () { sending = false; });
  }
  window.addEventListener("online", sendSaved);


  // After a send: the outcome page means it was stored, so its draft and queued copy go.
  var pending = read(PENDING);
  store.removeItem(PENDING);
  var done = location.pathname === "/report/done";
  if (pending && done) { store.removeItem(pending.draft); }
  if (typeof indexedDB !== "undefined") {
    lookcloser.outbox.all().then(function (items) {
      items.forEach(function (item) {
        var draft = read("lookcloser-draft:" + item.sector);
        var answered = pending && pending.key === item.key && item.at <= pending.at;
        if (item.sent || (answered && done)) {
          if (draft && draft.key === item.key) { store.removeItem("lookcloser-draft:" + item.sector); }
          lookcloser.outbox.remove(item.key);
          if (item.sent && !done) {
            var sent = show("sent-notice");
            if (sent) { sent.querySelector("strong").textContent = item.reference || ""; }
          }
        } else if (answered) {
          lookcloser.outbox.remove(item.key);  // the server answered: its page shows why
        } else if (form && item.sector === sector) {
          saved();
        }
      });
      sendSaved();
    }).catch(function () {});
  }

  if (!form) { return; }
  var keyField = form.elements.idempotency_key;
  var DRAFT = "lookcloser-draft:" + sector;
  var offlineCopy = document.documentElement.hasAttribute("data-offline-copy");

  function answers() {
    var list = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || SKIP[el.name] || el.type === "submit" || el.type === "button") { return; }
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) { return; }
      list.push([el.name, el.value]);
    });
    return list;
  }
  function blank() {
    return !answers().some(function (pair) { return pair[0] !== "consent" && pair[1] !== ""; });
  }
  function saveDraft() {
    store.setItem(DRAFT, JSON.stringify({key: keyField.value, fields: answers(), at: Date.now()}));
  }
  function restore(draft) {
    var values = {};
    draft.fields.forEach(function (pair) { (values[pair[0]] = values[pair[0]] || []).push(pair[1]); });
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || SKIP[el.name] || el.type === "submit" || el.type === "button") { return; }
      var given = values[el.name] || [];
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = given.indexOf(el.value) >= 0;
      } else {
        el.value = given[0] || "";
        el.dispatchEvent(new Event("input"));
      }
    });
  }

  // The key is made here, once per report, and kept with the draft: a report sent again (by
  // this page, by the worker, by a second tap) is stored once.
  var draft = read(DRAFT);
  if (blank() && draft && draft.fields) {
    restore(draft);
    keyField.value = draft.key || newKey();
  } else if (blank()) {
    keyField.value = newKey();
  }
  saveDraft();
  form.addEventListener("input", saveDraft);
  form.addEventListener("change", saveDraft);
  show("draft-notice");
  var clear = document.getElementById("draft-clear");
  if (clear) {
    clear.addEventListener("click", function () {
      store.removeItem(DRAFT);
      location.replace(lookcloser.pageFor(sector, lang));
    });
  }

  function saved() {
    var notice = show("saved-notice");
    if (notice) { notice.focus(); }
  }
  function keepForLater() {
    var item = {key: keyField.value, sector: sector, lang: lang, at: Date.now(),
                fields: answers().concat([["sector", sector], ["idempotency_key", keyField.value]])};
    return lookcloser.outbox.put(item).then(function () {
      saved();
      if (navigator.serviceWorker && navigator.serviceWorker.controller) {
        navigator.serviceWorker.ready.then(function (registration) {
          if (registration.sync) { return registration.sync.register("send-reports"); }
        }).catch(function () {});
      }
    });
  }

  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    if (submitter && submitter.name === "switch_lang") {
      if (!navigator.onLine) {  // the page in that language, from the phone
        event.preventDefault();
        location.assign(lookcloser.pageFor(sector, submitter.value));
      }
      return;
    }
    saveDraft();
    if (!navigator.onLine) {
      event.preventDefault();
      keepForLater().catch(function () { form.submit(); });
      return;
    }
    store.setItem(PENDING, JSON.stringify({draft: DRAFT, key: keyField.value, at: Date.now()}));
    if (offlineCopy) {  // opened from the phone: its token may be from an old session
      event.preventDefault();
      lookcloser.freshToken({sector: sector, lang: lang}).then(function (token) {
        form.elements.csrf_token.value = token;
      }).catch(function () {}).then(function () { form.submit(); });
    }
  });

})();
