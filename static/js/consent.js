/* The patient's drawn signature: a vendored signature_pad on a canvas, saved as a PNG data URL
   into a hidden field. Signing stays possible without it (typed name only), e.g. with no pointer. */
(function () {
  "use strict";
  var wrap = document.querySelector("[data-signature-pad]");
  var input = document.querySelector("[data-signature-input]");
  var form = document.querySelector("[data-consent-form]");
  if (!wrap || !input || !form || typeof SignaturePad === "undefined") return;
  wrap.hidden = false;
  var canvas = wrap.querySelector("canvas");
  var pad = new SignaturePad(canvas, { penColor: "rgb(20, 30, 90)", minWidth: 1, maxWidth: 3 });

  function resize() {
    var ratio = Math.max(window.devicePixelRatio || 1, 1);
    var data = pad.isEmpty() ? null : pad.toData();
    canvas.width = canvas.offsetWidth * ratio;
    canvas.height = canvas.offsetHeight * ratio;
    canvas.getContext("2d").scale(ratio, ratio);
    pad.clear();
    if (data) pad.fromData(data);
  }
  window.addEventListener("resize", resize);
  resize();

  wrap.querySelector("[data-signature-clear]").addEventListener("click", function () {
    pad.clear();
    input.value = "";
  });
  form.addEventListener("submit", function () {
    input.value = pad.isEmpty() ? "" : pad.toDataURL("image/png");
  });
})();
