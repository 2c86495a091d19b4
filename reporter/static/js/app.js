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

  // A live count of what is left in a text box with a limit, in the page's language.
  var boxes = document.querySelectorAll("textarea[data-limit]");
  Array.prototype.forEach.call(boxes, function (box) {
    var limit = parseInt(box.getAttribute("data-limit"), 10);
    var texts = JSON.parse(box.getAttribute("data-counter") || "{}");
    var note = document.createElement("p");
    note.className = "counter";
    note.id = box.id + "-counter";
    note.setAttribute("aria-live", "polite");
    box.parentNode.insertBefore(note, box.nextSibling);
    var ids = (box.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    box.setAttribute("aria-describedby", ids.concat(note.id).join(" "));
    function update() {
      var left = limit - box.value.length;
      var count = Math.abs(left);
      var forms = texts[category(count)] || texts.other || {};
      var text = (left < 0 ? forms.over : forms.left) || "";
      note.textContent = text.replace("{n}", numbers(count));
      note.classList.toggle("over", left < 0);
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
