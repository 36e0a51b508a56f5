/* The patient and treatment form: "Other use" and "Other route" show only while "Other" is
   chosen. Without JavaScript both stay visible and the server checks them, so this is only a
   convenience. */
(function () {
  "use strict";
  var boxes = document.querySelectorAll("[data-shown-when-chosen]");
  if (!boxes.length) return;

  function update() {
    boxes.forEach(function (box) {
      var rule = box.getAttribute("data-shown-when-chosen").split(":");
      var chosen = box.closest("form").querySelector('input[name="' + rule[0] + '"]:checked');
      box.hidden = !chosen || chosen.value !== rule[1];
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target.type === "radio") update();
  });
  update();
})();
