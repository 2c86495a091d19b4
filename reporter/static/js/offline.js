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
function hide(id) {
var el = document.getElementById(id);
if (el) { el.hidden = true; }
}
function kept() {
var el = document.getElementById("saved-notice");
if (el && el.hidden) {
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
var sentElsewhere = function () {};  // the form's offer of that report goes (below)
function ownTab(item) {
try { return sessionStorage.getItem("lc-draft:" + item.sector) === item.key; } catch (e) { return false; }
}
function status(send, told) {
if (!sw || !sw.controller) { return; }
var channel = new MessageChannel();
channel.port1.onmessage = function (event) {
var answer = event.data;
clearTimeout(timer);
answer.sent.forEach(function (item) {
if (read("lc-draft:" + item.sector).key === item.key) { store.removeItem("lc-draft:" + item.sector); }
// A report's outcome is for the tab that sent it, never for the next person on a shared phone;
// a sighting's thanks page holds nothing of the report, and there is no draft to tell its tab by.
if (item.path) { location.assign("/follow-up/thanks"); } else if (ownTab(item)) { location.assign("/report/done"); } else { sentElsewhere(item.key); }
});
if (answer.refused.indexOf(sector) >= 0) {
form.submit();
} else if (answer.waiting.indexOf(form ? sector : "") >= 0 && (send || told || !navigator.onLine)) {
kept();
}
// Our service, not the signal, is what it waits for: the heading says so.
var busy = (answer.busy || []).indexOf(sector) >= 0;  // an older worker says nothing of it
show(busy ? "not-sent-busy" : "not-sent-signal");
hide(busy ? "not-sent-signal" : "not-sent-busy");
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
return !/^(csrf_token|website|idempotency_key|sector|switch_lang|change_setting)?$/.test(el.name);
});
// A shared phone: a draft left by an earlier visit is offered, never filled in, unless it is
// this tab's own (a reload; sessionStorage is per tab).
var mine = {get: function () {}, set: function () {}};
try { sessionStorage.getItem(DRAFT); mine = {get: function () { return sessionStorage.getItem(DRAFT); },
set: function (value) { sessionStorage.setItem(DRAFT, value); }}; } catch (e) {}
function answers() {
return controls.filter(function (el) {
return el.checked || !/checkbox|radio/.test(el.type);
}).map(function (el) { return [el.name, el.value]; });
}
function typed(fields) {
return (fields || []).some(function (pair) { return pair[0] !== "consent" && pair[1]; });
}
var offering = false;
function save() {
if (offering) { return; }  // the earlier draft stays until its owner's choice is made
store.setItem(DRAFT, JSON.stringify({key: key.value, fields: answers()}));
mine.set(key.value);
}
function fill(draft) {
var given = JSON.stringify(draft.fields);
controls.forEach(function (el) {
if (/checkbox|radio/.test(el.type)) {
el.checked = given.indexOf(JSON.stringify([el.name, el.value])) >= 0;
} else {
el.value = (draft.fields.filter(function (p) { return p[0] === el.name; })[0] || [0, ""])[1];
el.dispatchEvent(new Event("input"));
}
});
key.value = draft.key;
}
var draft = read(DRAFT), offer = document.getElementById("unsent-offer");
if (!typed(answers())) {
var bytes = crypto.getRandomValues(new Uint8Array(18));
key.value = btoa(String.fromCharCode.apply(null, bytes)).replace(/[+/]/g, "_");
if (draft.key && (mine.get() === draft.key || !typed(draft.fields) || !offer)) {
fill(draft);
} else if (draft.key) {
offering = true;
offer.hidden = false;
}
}
function settle(take) {
offering = false;
offer.hidden = true;
if (take) { fill(draft); }
save();
}
sentElsewhere = function (sentKey) { if (offering && sentKey === draft.key) { settle(false); } };
if (offer) {
show("unsent-send").onclick = function () { settle(true); form.requestSubmit(); };
show("unsent-look").onclick = function () { settle(true); controls[0].focus(); };
show("unsent-delete").onclick = function () {
if (sw && sw.controller) { sw.controller.postMessage({forget: draft.key}); }
store.removeItem(DRAFT);
settle(false);
controls[0].focus();
};
}
// The answers came along from another setting's form: its draft is this one now.
var from = document.getElementById("changed-from");
if (from) { store.removeItem("lc-draft:" + from.dataset.sector); }
save();
form.oninput = form.onchange = save;
// Back to a page the browser kept (back-forward cache) after it was sent or cleared: nothing
// of it may show, so the blank form is fetched again.
addEventListener("pageshow", function (event) {
if (event.persisted && !store.getItem(DRAFT)) { location.replace("/report?sector=" + sector); }
});
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
var what = event.submitter && event.submitter.name;
if (/switch_lang|change_setting/.test(what)) {
// No worker to open the kept pages: with no signal, say so and stay, answers and all. The
// list of languages closes, so the notice is in view under the header, not below the list.
if (!navigator.onLine && !(sw && sw.controller)) {
event.preventDefault();
var list = document.querySelector("details.languages[open]");
if (list) { list.open = false; }
show("needs-signal").scrollIntoView({block: "nearest"});
}
return;
}
if (sending() && !navigator.onLine) { event.preventDefault(); unanswered(); }
};
// The worker could not open the page asked for with no signal, and came back to this one.
if (/[?&]needs_signal=1/.test(location.search)) {
show("needs-signal");
history.replaceState(null, "", location.pathname + location.search.replace(/&?needs_signal=1/, ""));
}
onpagehide = function () { clearTimeout(timer); };
show("draft-notice");
// "Clear my answers" asks first.
show("draft-clear").onclick = function () { show("clear-ask").focus(); };
show("clear-yes").onclick = function () {
store.removeItem(DRAFT);
location.replace("/report?sector=" + sector);
};
show("clear-no").onclick = function () {
document.getElementById("clear-ask").hidden = true;
document.getElementById("draft-clear").focus();
};
})();
