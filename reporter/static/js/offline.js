// Weak signal, nothing lost (the form works without this file). The draft stays on this phone
// until sent; one unanswered in time (no signal, lie-fi) is sent later by the worker or this page.
(function () {
"use strict";
var sw = navigator.serviceWorker, form = document.getElementById("report-form");
var WAIT = +document.currentScript.dataset.wait, timer;
var store, sector = form && form.elements.sector.value, DRAFT = "lc-draft:" + sector;
try { store = localStorage; store.getItem(DRAFT); } catch (e) { return; }
function show(id) {
var el = document.getElementById(id) || document.createElement("p");
el.hidden = false;
return el;
}
function kept() {
var el = document.getElementById("saved-notice");
if (el && el.hidden) {
el.prepend(document.querySelector(".danger-line").cloneNode(true));
show("saved-notice").focus({preventScroll: true});
el.scrollIntoView();
}
}
function read(name) {
try { return JSON.parse(store.getItem(name)) || {}; } catch (e) { return {}; }
}
var sent = store.getItem("lc-sent");
store.removeItem("lc-sent");
if (sent && location.pathname === "/report/done") { store.removeItem(sent); }
function status(send, told) {
if (!sw || !sw.controller) { return; }
var channel = new MessageChannel();
channel.port1.onmessage = function (event) {
var answer = event.data;
clearTimeout(timer);
answer.sent.forEach(function (item) {
if (read("lc-draft:" + item.sector).key === item.key) { store.removeItem("lc-draft:" + item.sector); }
location.assign(item.path ? "/follow-up/thanks" : "/report/done");
});
if (answer.refused.indexOf(sector) >= 0) {
form.submit();
} else if (answer.waiting.indexOf(form ? sector : "") >= 0 && (send || told || !navigator.onLine)) {
kept();
}
if (navigator.onLine && answer.waiting.length) { timer = setTimeout(status, send ? WAIT : 0, true); }
};
sw.controller.postMessage({status: 1, send: send}, [channel.port2]);
}
if (sw) {
addEventListener("load", function () {
sw.register("/sw.js").then(function () { return sw.ready; }).then(function (registration) {
registration.active.postMessage({keep: document.documentElement.lang});
}, function () {});
});
sw.onmessage = function (event) { status(0, event.data === "kept"); };
addEventListener("online", function () { status(true); });
status();
}
if (!form) { return; }

var key = form.elements.idempotency_key, controls = [].filter.call(form.elements, function (el) {
return !/^(csrf_token|website|idempotency_key|sector|switch_lang)?$/.test(el.name);
});
function answers() {
return controls.filter(function (el) {
return el.checked || !/checkbox|radio/.test(el.type);
}).map(function (el) { return [el.name, el.value]; });
}
function save() {
store.setItem(DRAFT, JSON.stringify({key: key.value, fields: answers()}));
}
var draft = read(DRAFT), given = JSON.stringify(draft.fields);
if (!answers().some(function (pair) { return pair[0] !== "consent" && pair[1]; })) {
controls.forEach(function (el) {
if (!draft.key) { return; }
if (/checkbox|radio/.test(el.type)) {
el.checked = given.indexOf(JSON.stringify([el.name, el.value])) >= 0;
} else {
el.value = (draft.fields.filter(function (p) { return p[0] === el.name; })[0] || [0, ""])[1];
el.dispatchEvent(new Event("input"));
}
});
var bytes = crypto.getRandomValues(new Uint8Array(18));
key.value = draft.key || btoa(String.fromCharCode.apply(null, bytes)).replace(/[+/]/g, "_");
}
save();
form.oninput = form.onchange = save;
function sending(again) {
store.setItem("lc-sent", DRAFT);
clearTimeout(timer);
if (!sw || !sw.controller) { return timer = setTimeout(unanswered, again ? 3 * WAIT : WAIT); }
}
function unanswered() {
stop();
kept();
timer = setTimeout(function () {
if (navigator.onLine) { sending(1); form.submit(); } else { unanswered(); }
}, WAIT);
}
form.onsubmit = function (event) {
if (sending() && !navigator.onLine) { event.preventDefault(); unanswered(); }
};
onpagehide = function () { clearTimeout(timer); };
show("draft-notice");
show("draft-clear").onclick = function () {
store.removeItem(DRAFT);
location.replace("/report?sector=" + sector);
};
})();
