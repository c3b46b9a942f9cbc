// The model explorer's "Compare selected": enabled for 2 to 10 ticked rows, says how many are ticked.
(function () {
  "use strict";
  function start() {
    var form = document.getElementById("compare-form");
    if (!form) return;
    var button = document.getElementById("compare-selected");
    var hint = document.getElementById("compare-hint");
    function update() {
      var n = form.querySelectorAll("input[name=models]:checked").length;
      button.disabled = n < 2 || n > 10;
      hint.textContent = n === 0 ? "Tick 2 to 10 rows." : n + " ticked" + (n < 2 ? ": tick at least 2." : n > 10 ? ": at most 10." : ".");
    }
    form.addEventListener("change", update);
    update();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
