/* "Print" on a signed screening's page: load the PDF into a hidden frame of this site and open the
   browser's print dialog for it, so that nobody has to download a file first (awkward on a
   tablet). Where the browser cannot print a framed PDF, say so and open the PDF instead. Without
   this script the "Print" link opens the PDF, to print from the browser's own viewer. */
(function () {
  "use strict";
  var button = document.querySelector("[data-pdf-print]");
  if (!button) return;
  var failed = document.querySelector("[data-pdf-print-failed]");
  var frame = null;

  function fallBack() {
    if (failed) failed.hidden = false;
    window.location.href = button.href;
  }

  button.addEventListener("click", function (event) {
    event.preventDefault();
    if (frame) frame.remove();
    frame = document.createElement("iframe");
    frame.className = "print-frame";
    frame.title = button.textContent.trim();
    frame.setAttribute("aria-hidden", "true");
    frame.tabIndex = -1;
    frame.addEventListener("load", function () {
      try {
        frame.contentWindow.focus();
        frame.contentWindow.print();
      } catch (error) {
        fallBack();
      }
    });
    frame.src = button.href;
    document.body.appendChild(frame);
  });
})();
