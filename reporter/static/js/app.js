// Progressive enhancement only: the form works without this file.
(function () {
  "use strict";
  // Put the keyboard and screen reader on the error summary when a page shows one.
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
  // A live count of what is left in a text box with a limit.
  var boxes = document.querySelectorAll("textarea[data-limit]");
  Array.prototype.forEach.call(boxes, function (box) {
    var limit = parseInt(box.getAttribute("data-limit"), 10);
    var note = document.createElement("p");
    note.className = "counter";
    note.id = box.id + "-counter";
    note.setAttribute("aria-live", "polite");
    box.parentNode.insertBefore(note, box.nextSibling);
    var ids = (box.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    box.setAttribute("aria-describedby", ids.concat(note.id).join(" "));
    function update() {
      var left = limit - box.value.length;
      note.textContent = left + " / " + limit;
      note.classList.toggle("over", left < 0);
    }
    box.addEventListener("input", update);
    update();
  });
})();
