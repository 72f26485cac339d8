// The incident record: a print button (the page has a print layout in board.css).
(function () {
  "use strict";
  const button = document.getElementById("print-record");
  if (button) button.addEventListener("click", () => window.print());
})();
