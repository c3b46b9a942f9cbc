// The model explorer's "Compare selected" (enabled for 2 to 10 ticked rows, says how many are ticked)
// and the hint that the table scrolls sideways when it is wider than its box.
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
    // Say so when the table is wider than its box (a phone, a narrow window): columns are hidden.
    var box = form.querySelector(".table-scroll");
    var scrollHint = document.getElementById("scroll-hint");
    function fits() {
      if (box && scrollHint) scrollHint.hidden = box.scrollWidth <= box.clientWidth + 1;
    }
    window.addEventListener("resize", fits);
    fits();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
