// Progressive enhancement only: the form works without this file.
(function () {
  "use strict";
  var lang = document.documentElement.lang || "en";
  function numbers(n) {
    try { return new Intl.NumberFormat(lang).format(n); } catch (e) { return String(n); }
  }
  function category(n) {
    try { return new Intl.PluralRules(lang).select(n); } catch (e) { return "other"; }
  }

  // Put the keyboard and screen reader on the error summary when a page shows one.
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
    // A link in the summary lands with the field's label (or legend) and message in view, as
    // GOV.UK Frontend does, then puts the cursor in the field.
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var input = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!input) { return; }
      var fieldset = input.closest("fieldset");
      var label = (input.type === "radio" || input.type === "checkbox") && fieldset
        ? fieldset.querySelector("legend")
        : document.querySelector("label[for='" + input.id + "']");
      if (!label) { return; }
      event.preventDefault();
      label.scrollIntoView();
      input.focus({ preventScroll: true });
    });
  }

  // Staff pages: what was just done is said once the page has loaded, from a live region that
  // was empty at load; the notices shown stay on the page for the eye.
  var SAY_FLASH_AFTER_MS = 500;
  var flashSaid = document.getElementById("flash-said");
  if (flashSaid) {
    var flashes = document.querySelectorAll(".flash");
    setTimeout(function () {
      flashSaid.textContent = Array.prototype.map.call(flashes, function (flash) {
        flash.setAttribute("aria-hidden", "true");
        return flash.textContent;
      }).join(" ");
    }, SAY_FLASH_AFTER_MS);
  }

  // A count of what is left in a text box with a limit, in the page's language. It is shown at
  // every key, and said by a screen reader once typing pauses (a region read aloud at each key
  // talks over the typing), as GOV.UK's character count does.
  var ANNOUNCE_AFTER_MS = 1000;
  var boxes = document.querySelectorAll("textarea[data-limit]");
  Array.prototype.forEach.call(boxes, function (box) {
    var limit = parseInt(box.getAttribute("data-limit"), 10);
    var texts = JSON.parse(box.getAttribute("data-counter") || "{}");
    var note = document.createElement("p");
    note.className = "counter";
    note.id = box.id + "-counter";
    note.setAttribute("aria-hidden", "true");  // read as the box's description, and by `said`
    var said = document.createElement("p");
    said.className = "visually-hidden";
    said.id = box.id + "-counter-said";
    said.setAttribute("aria-live", "polite");
    box.parentNode.insertBefore(said, box.nextSibling);
    box.parentNode.insertBefore(note, box.nextSibling);
    var ids = (box.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    box.setAttribute("aria-describedby", ids.concat(note.id).join(" "));
    var pause;
    function update(event) {
      var left = limit - box.value.length;
      var count = Math.abs(left);
      var forms = texts[category(count)] || texts.other || {};
      var text = (left < 0 ? forms.over : forms.left) || "";
      note.textContent = text.replace("{n}", numbers(count));
      note.classList.toggle("over", left < 0);
      clearTimeout(pause);
      if (event && event.isTrusted) {  // typed, not a draft put back by a script
        pause = setTimeout(function () { said.textContent = note.textContent; }, ANNOUNCE_AFTER_MS);
      }
    }
    box.addEventListener("input", update);
    update();
  });

  // Choosing a suggested station also shows its name in the station box; "None of these" puts
  // back what was written, so the box never sends a suggestion that is no longer chosen.
  var station = document.getElementById("station");
  var written = station && station.value;
  Array.prototype.forEach.call(document.querySelectorAll("input[name=station_choice]"),
    function (choice) {
      choice.addEventListener("change", function () {
        if (choice.checked && station) {
          station.value = choice.value ? choice.getAttribute("data-name") : written;
        }
      });
    });
  // Typing in the box again means what is typed now is the answer, not a suggestion.
  var none = document.getElementById("station_choice-none");
  if (station && none) {
    station.addEventListener("input", function () {
      written = station.value;
      none.checked = true;
    });
  }
})();

// Copy buttons: the reporter's follow-up code, and a secret shown once to staff (an API key, a
// password, a set-up link: triage/_macros.html shown_once). A button is shown only where the
// browser can copy; it copies the field's whole value (or the element's text) and says
// "Copied" in its live region, which is empty when the page loads, so screen readers hear it.
// Without this file, the code is selected whole by one tap (CSS user-select: all) and the
// staff's secret sits whole in a read-only field; with it, focusing that field selects it all.
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("[data-select-all]"), function (field) {
    field.addEventListener("focus", function () { field.select(); });
  });
  if (!navigator.clipboard) { return; }
  Array.prototype.forEach.call(document.querySelectorAll("button[data-copy]"), function (button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source) { return; }
    var said = document.querySelector("[data-copy-said='" + source.id + "']");
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = source.matches("textarea, input") ? source.value : source.textContent;
      navigator.clipboard.writeText(text.trim()).then(function () {
        var copied = button.getAttribute("data-copied");
        button.textContent = copied;
        if (said) {
          // Emptied first, so a second copy is said again.
          said.textContent = "";
          setTimeout(function () { said.textContent = copied; }, 50);
        }
      });
    });
  });
})();
