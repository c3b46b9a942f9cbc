// The comparison's "show only the facts that differ" switch (the table shows every fact without script).
(function () {
  "use strict";
  function start() {
    var box = document.getElementById("only-differences");
    var table = document.getElementById("compare-table");
    if (!box || !table) return;
    box.addEventListener("change", function () { table.classList.toggle("only-differences", box.checked); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
