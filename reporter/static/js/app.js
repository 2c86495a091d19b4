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

  // Tapping a suggested station also writes its name in the station box.
  var station = document.getElementById("station");
  Array.prototype.forEach.call(document.querySelectorAll("input[name=station_choice]"),
    function (choice) {
      choice.addEventListener("change", function () {
        if (choice.checked && choice.value && station) {
          station.value = choice.getAttribute("data-name");
        }
      });
    });
})();

// The follow-up code's copy button: shown only where the phone can copy. Without it, the code
// is selected whole by one tap (CSS user-select: all) and written down.
(function () {
  "use strict";
  var button = document.querySelector("button[data-copy]");
  if (!button || !navigator.clipboard) { return; }
  var code = document.getElementById(button.getAttribute("data-copy"));
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(code.textContent.trim()).then(function () {
      button.textContent = button.getAttribute("data-copied");
    });
  });
})();
