/* The error summary at the top of a refused form (the GOV.UK pattern): it takes the focus when
   the page loads, so that a screen reader reads it and the page does not open far from the
   problem; each of its links moves the focus to its field and shows the field's label or legend. */
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) return;
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) return;
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) return;
    event.preventDefault();
    var legend = target.closest("fieldset") && target.closest("fieldset").querySelector("legend");
    var label = document.querySelector("label[for='" + target.id + "']");
    (legend || label || target).scrollIntoView({ block: "start" });
    target.focus({ preventScroll: true });
  });
})();
