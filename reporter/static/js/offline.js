// Weak signal, nothing lost (the form works without this file). The draft stays in this phone's
// localStorage until sent; a report sent with no signal waits in the worker's outbox (/sw.js).
(function () {
  "use strict";
  var sw = navigator.serviceWorker, lang = document.documentElement.lang, store = null;
  var form = document.getElementById("report-form"), waiting = false, PENDING = "lc-pending";
  var SKIP = {csrf_token: 1, website: 1, idempotency_key: 1, sector: 1, submit: 1, button: 1};
  try { store = localStorage; store.getItem(PENDING); } catch (e) { return; }
  var sector = form && form.elements.sector.value, DRAFT = "lc-draft:" + sector;

  function show(id) {
    var el = document.getElementById(id);
    if (el) { el.hidden = false; }
    return el;
  }
  function read(name) {
    try { return JSON.parse(store.getItem(name)); } catch (e) { return null; }
  }
  function page(s, l) {
    return (s ? "/report?sector=" + s + "&" : "/?") + "lang=" + l;
  }
  function ask(message) {  // the worker answers with every report on the phone
    return new Promise(function (resolve, reject) {
      if (!sw || !sw.controller) { return reject(); }
      var channel = new MessageChannel();
      channel.port1.onmessage = function (event) { resolve(event.data); };
      sw.controller.postMessage(message, [channel.port2]);
    });
  }
  function saved() {
    waiting = true;
    var notice = show("saved-notice");
    if (notice) { notice.focus(); }
  }
  function pend(key) {
    store.setItem(PENDING, JSON.stringify({key: key, draft: DRAFT, at: Date.now()}));
  }
  function check(items, tried) {
    var sent = null;
    items.forEach(function (item) {
      var name = "lc-draft:" + item.sector, draft = read(name);
      if (item.sent || item.refused) { ask({forget: item.key}); }
      if (item.sent) {
        sent = item;
        if (draft && draft.key === item.key) { store.removeItem(name); }
      } else if (item.sector === sector) {
        if (item.refused) { form.submit(); }  // the server says what to correct
        else if (tried || !navigator.onLine) { saved(); }
      }
    });
    if (sent && waiting) { location.assign("/report/done"); }
    var notice = sent && show("sent-notice");
    if (notice) { notice.querySelector("strong").textContent = sent.reference; }
    if (!tried && navigator.onLine && items.some(function (i) { return !i.sent && !i.refused; })) {
      ask({send: 1}).then(function (after) { check(after, true); }, function () {});
    }
  }

  var pending = read(PENDING);
  store.removeItem(PENDING);
  if (pending && location.pathname === "/report/done") { store.removeItem(pending.draft); }
  function status() {  // after a send the server has answered: the worker drops that copy
    ask(pending ? {answered: pending.key, at: pending.at} : {}).then(check, function () {});
    pending = null;
  }
  if (sw) {
    addEventListener("load", function () {
      sw.register("/sw.js").then(function () { return sw.ready; }).then(function (registration) {
        registration.active.postMessage({keep: lang});
      }).catch(function () {});
    });
    sw.addEventListener("message", status);
    sw.addEventListener("controllerchange", status);
    status();
  }
  addEventListener("online", status);
  if (!form) { return; }

  var key = form.elements.idempotency_key;
  function controls(each) {
    [].forEach.call(form.elements, function (el) {
      if (el.name && !SKIP[el.name] && !SKIP[el.type]) { each(el); }
    });
  }
  function answers() {
    var list = [];
    controls(function (el) {
      if (el.checked || !/checkbox|radio/.test(el.type)) { list.push([el.name, el.value]); }
    });
    return list;
  }
  function save() {
    store.setItem(DRAFT, JSON.stringify({key: key.value, fields: answers()}));
  }

  // One key per report, made here and kept with the draft: sent twice, stored once.
  var draft = read(DRAFT) || {fields: []}, values = {};
  var blank = !answers().some(function (pair) { return pair[0] !== "consent" && pair[1]; });
  if (blank && draft.key) {
    draft.fields.forEach(function (pair) { (values[pair[0]] = values[pair[0]] || []).push(pair[1]); });
    controls(function (el) {
      var given = values[el.name] || [];
      if (/checkbox|radio/.test(el.type)) {
        el.checked = given.indexOf(el.value) >= 0;
      } else {
        el.value = given[0] || "";
        el.dispatchEvent(new Event("input"));
      }
    });
  }
  if (blank) {
    var bytes = crypto.getRandomValues(new Uint8Array(18));
    key.value = draft.key || btoa(String.fromCharCode.apply(null, bytes)).replace(/[+/]/g, "_");
  }
  save();
  form.addEventListener("input", save);
  form.addEventListener("change", save);
  show("draft-notice");
  var clear = document.getElementById("draft-clear");
  if (clear) {
    clear.addEventListener("click", function () {
      store.removeItem(DRAFT);
      location.replace(page(sector, lang));
    });
  }

  form.addEventListener("submit", function (event) {
    var by = event.submitter;
    if (by && by.name === "switch_lang") { return; }  // with no signal, the worker answers
    save();
    if (!navigator.onLine && sw && sw.controller) {
      event.preventDefault();
      var fields = answers().concat([["sector", sector], ["idempotency_key", key.value]]);
      ask({queue: {key: key.value, sector: sector, lang: lang, at: Date.now(), fields: fields}})
        .then(saved, function () { form.submit(); });
    } else {
      pend(key.value);
    }
  });
})();
