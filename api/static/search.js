// Search-as-you-type for every <form class="search"> whose input is an ARIA combobox
// (WAI-ARIA 1.2 combobox with listbox popup): suggestions from /api/search, ArrowUp/ArrowDown to
// move, Enter to open (or, with no suggestion chosen, the entity on an exact name match, else the
// results page), Escape to close. A form with data-pick="add" (the compare picker) puts the chosen
// model's slug into the box and submits instead of opening a page. Without script the forms still work.
(function () {
  "use strict";
  var ID_BASE = "https://w3id.org/aikg/id/";

  // The entity's page on this server: the API's html link (as a path: the public base may name
  // another host than the one serving this page), else the IRI's /id/ path, else the results page.
  function pagePath(hit) {
    var html = hit.links && hit.links.html;
    if (html) {
      var url = new URL(html, window.location.href);
      return url.pathname + url.search;
    }
    if (hit.iri.indexOf(ID_BASE) === 0) return "/id/" + hit.iri.slice(ID_BASE.length);
    return "/search?q=" + encodeURIComponent(hit.name);
  }

  function fold(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }

  function setup(form) {
    var input = form.querySelector("input[role=combobox]");
    var list = document.getElementById(input.getAttribute("aria-controls"));
    if (!input || !list) return;
    var kind = form.getAttribute("data-kind") || "";
    var pick = form.getAttribute("data-pick") || "";
    var hits = [];
    var active = -1;
    // Screen readers hear how many suggestions there are (the list itself is not announced).
    var status = document.createElement("span");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    form.appendChild(status);
    var timer = null;
    var asked = 0;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var items = list.children;
      for (var i = 0; i < items.length; i++) items[i].setAttribute("aria-selected", i === index ? "true" : "false");
      active = index;
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", items[index].id);
        items[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(hit) {
      if (pick === "add") {
        input.value = hit.slug;
        close();
        form.submit();
      } else {
        window.location.href = pagePath(hit);
      }
    }

    function show(results) {
      hits = results;
      list.textContent = "";
      results.forEach(function (hit, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        var text = document.createElement("span");
        var name = document.createElement("span");
        name.className = "name";
        name.textContent = hit.name;
        text.appendChild(name);
        if (hit.matched && hit.matched !== hit.name) {
          var alt = document.createElement("span");
          alt.className = "alt";
          alt.textContent = " (" + hit.matched + ")";
          text.appendChild(alt);
        }
        var k = document.createElement("span");
        k.className = "kind";
        k.textContent = hit.kind;
        li.appendChild(text);
        li.appendChild(k);
        // mousedown, not click: the input keeps focus, so the list is not closed before the choice
        li.addEventListener("mousedown", function (event) {
          event.preventDefault();
          choose(hit);
        });
        list.appendChild(li);
      });
      active = -1;
      status.textContent = results.length
        ? results.length + (results.length === 1 ? " suggestion" : " suggestions") + ": arrow keys to choose, Enter to open"
        : "no suggestion";
      if (results.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
      } else {
        close();
      }
    }

    function suggest() {
      var q = input.value.trim();
      if (!q) {
        hits = [];
        close();
        return;
      }
      var ticket = ++asked;
      var url = "/api/search?limit=8&q=" + encodeURIComponent(q) + (kind ? "&kind=" + encodeURIComponent(kind) : "");
      fetch(url, { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (data) { if (ticket === asked) show(data.results || []); })
        .catch(function () { if (ticket === asked) show([]); });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(suggest, 120);
    });
    input.addEventListener("keydown", function (event) {
      var open = !list.hidden && hits.length > 0;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (!open) { if (hits.length) { list.hidden = false; input.setAttribute("aria-expanded", "true"); } else { suggest(); } return; }
        highlight(active + 1 >= hits.length ? 0 : active + 1);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        if (open) highlight(active <= 0 ? hits.length - 1 : active - 1);
      } else if (event.key === "Enter") {
        if (open && active >= 0) {
          event.preventDefault();
          choose(hits[active]);
          return;
        }
        var typed = fold(input.value);
        var exact = hits.filter(function (h) { return fold(h.name) === typed || fold(h.matched || "") === typed; });
        if (exact.length === 1 && pick !== "add") {
          event.preventDefault();
          choose(exact[0]);
        }
        // otherwise the form submits: the results page (or, for the picker, the name as typed)
      } else if (event.key === "Escape") {
        if (open) {
          event.preventDefault();
          close();
        }
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  function start() {
    var forms = document.querySelectorAll("form.search");
    for (var i = 0; i < forms.length; i++) setup(forms[i]);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
