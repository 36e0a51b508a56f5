/* The patient's drawn signature: a vendored signature_pad on a canvas, saved as a PNG data URL
   into a hidden field. Signing stays possible without it (typed name only), e.g. with no pointer.
   After a refused submission the server sends back the signature it checked and re-encoded; it
   is drawn on the pad again, so that nobody has to sign twice because a box was left unticked. */
(function () {
  "use strict";
  // Who is signing: show the patient's name field or the representative's fields, not both.
  var signerRadios = document.querySelectorAll("[data-signer]");
  function showSignerFields() {
    var chosen = document.querySelector("[data-signer]:checked");
    document.querySelectorAll("[data-signer-fields]").forEach(function (block) {
      block.hidden = chosen ? block.dataset.signerFields !== chosen.value : false;
    });
  }
  signerRadios.forEach(function (radio) { radio.addEventListener("change", showSignerFields); });
  if (signerRadios.length) showSignerFields();
})();

(function () {
  "use strict";
  var wrap = document.querySelector("[data-signature-pad]");
  var input = document.querySelector("[data-signature-input]");
  var form = document.querySelector("[data-consent-form]");
  if (!wrap || !input || !form || typeof SignaturePad === "undefined") return;
  wrap.hidden = false;
  var canvas = wrap.querySelector("canvas");
  var kept = wrap.querySelector("[data-signature-kept]");
  var pad = new SignaturePad(canvas, { penColor: "rgb(20, 30, 90)", minWidth: 1, maxWidth: 3 });
  // The image sent back by the server, until the patient clears the pad or draws over it.
  var restored = input.value.indexOf("data:image/png;base64,") === 0 ? input.value : "";

  function redrawRestored() {
    if (!restored) return;
    var strokes = pad.toData();
    pad.fromDataURL(restored).then(function () {
      if (strokes.length) pad.fromData(strokes, { clear: false });
    });
  }

  function resize() {
    var ratio = Math.max(window.devicePixelRatio || 1, 1);
    var data = pad.isEmpty() ? null : pad.toData();
    canvas.width = canvas.offsetWidth * ratio;
    canvas.height = canvas.offsetHeight * ratio;
    canvas.getContext("2d").scale(ratio, ratio);
    pad.clear();
    if (data && data.length) pad.fromData(data);
    redrawRestored();
  }
  window.addEventListener("resize", resize);
  resize();
  if (kept) kept.hidden = !restored;

  wrap.querySelector("[data-signature-clear]").addEventListener("click", function () {
    pad.clear();
    restored = "";
    input.value = "";
    if (kept) kept.hidden = true;
  });
  form.addEventListener("submit", function () {
    input.value = pad.isEmpty() ? "" : pad.toDataURL("image/png");
  });
})();
