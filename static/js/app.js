// Small progressive enhancements; every page works without them.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  // The error summary takes the focus, so a screen reader reads it and Tab reaches its links
  // first (the GOV.UK Design System's pattern). A link moves the focus into its field.
  function focusErrorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) return;
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) return;
      var field = document.getElementById(link.getAttribute("href").slice(1));
      if (!field) return;
      event.preventDefault();
      var holder = field.closest(".field") || field;
      holder.scrollIntoView();
      field.focus({ preventScroll: true });
    });
  }

  // A long list of checkboxes (e.g. the countries) gets a filter box above it.
  function filterableLists() {
    document.querySelectorAll("[data-filterable]").forEach(function (box) {
      var input = document.createElement("input");
      input.type = "search";
      input.className = "form-control form-control-sm mb-1";
      input.setAttribute("aria-label", box.getAttribute("data-filterable"));
      input.setAttribute("placeholder", box.getAttribute("data-filterable"));
      box.parentNode.insertBefore(input, box);
      // A polite count for screen readers; the words come from the page, in its language.
      var status = document.createElement("p");
      status.className = "visually-hidden";
      status.setAttribute("role", "status");
      box.parentNode.insertBefore(status, box.nextSibling);
      var boxes = box.querySelectorAll("input[type=checkbox]");
      // Enter in the box ticks the only match instead of submitting the form.
      input.addEventListener("keydown", function (event) {
        if (event.key !== "Enter") return;
        event.preventDefault();
        var shown = Array.prototype.filter.call(boxes, function (c) {
          return !c.closest("li, div").hidden && !c.checked;
        });
        if (input.value.trim() && shown.length === 1) {
          shown[0].checked = true;
          shown[0].focus();
        }
      });
      input.addEventListener("input", function () {
        var q = input.value.trim().toLocaleLowerCase();
        var count = 0;
        boxes.forEach(function (checkbox) {
          var item = checkbox.closest("li, div");
          var text = item.textContent.toLocaleLowerCase();
          item.hidden = !!q && !checkbox.checked && text.indexOf(q) === -1;
          if (!item.hidden) count += 1;
        });
        status.textContent = q ? (box.getAttribute("data-filter-count") || "%s").replace("%s", count) : "";
      });
    });
  }

  // The header menu collapses behind a button on narrow screens.
  function headerMenu() {
    var button = document.querySelector("[data-menu-toggle]");
    if (!button) return;
    var menu = document.getElementById(button.getAttribute("aria-controls"));
    button.hidden = false;
    document.documentElement.classList.add("menu-collapsible");
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") === "true";
      button.setAttribute("aria-expanded", open ? "false" : "true");
      menu.classList.toggle("is-open", !open);
    });
  }

  // The case page's sections, one link each, built from the sections' own headings.
  function sectionMenu() {
    var nav = document.querySelector("[data-section-menu]");
    if (!nav) return;
    var list = nav.querySelector("ul");
    document.querySelectorAll("main section[aria-labelledby]").forEach(function (section) {
      var heading = document.getElementById(section.getAttribute("aria-labelledby"));
      if (!heading || !heading.id) return;
      var item = document.createElement("li");
      item.className = "list-inline-item";
      var link = document.createElement("a");
      link.href = "#" + heading.id;
      link.textContent = heading.textContent.trim();
      item.appendChild(link);
      list.appendChild(item);
    });
    nav.hidden = list.children.length < 2;
  }

  // A table that scrolls inside its own box (a phone) can be scrolled by keyboard too.
  function scrollableTables() {
    document.querySelectorAll("main table, main .table-scroll").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        box.setAttribute("tabindex", "0");
      } else if (box.getAttribute("tabindex") === "0") {
        box.removeAttribute("tabindex");
      }
    });
  }

  function ready() {
    scrollableTables();
    window.addEventListener("resize", scrollableTables);
    sectionMenu();
    focusErrorSummary();
    filterableLists();
    headerMenu();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
