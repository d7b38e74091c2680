/* bcfc site: sortable and filterable tables. No library, no network.
 *
 * A table marked data-bcfc-sortable gets a button in each column heading (sorts by that
 * column, again to reverse; aria-sort says the order); one marked data-bcfc-filterable gets a
 * filter box above it that shows only the rows containing the typed text. Cells with data-sort sort by that number. Rows in <tfoot>
 * (totals) stay where they are. Without JavaScript the tables are plain tables.
 */
(function () {
  "use strict";

  function cellValue(row, index) {
    var cell = row.cells[index];
    if (!cell) return { number: null, text: "" };
    var raw = cell.getAttribute("data-sort");
    var number = raw !== null && raw !== "" ? Number(raw) : null;
    return { number: number !== null && !isNaN(number) ? number : null, text: cell.textContent.trim() };
  }

  function compare(a, b) {
    if (a.number !== null && b.number !== null) return a.number - b.number;
    if (a.number !== null) return -1;
    if (b.number !== null) return 1;
    return a.text.localeCompare(b.text, undefined, { numeric: true, sensitivity: "base" });
  }

  function makeSortable(table) {
    var body = table.tBodies[0];
    var headRow = table.tHead && table.tHead.rows[0];
    if (!body || !headRow) return;
    Array.prototype.forEach.call(headRow.cells, function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "bcfc-sort";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(headRow.cells, function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (x, y) {
          var order = compare(cellValue(x, index), cellValue(y, index));
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  }

  var filters = 0;

  function makeFilterable(table) {
    var body = table.tBodies[0];
    if (!body || body.rows.length < 2) return;
    filters += 1;
    var id = "bcfc-filter-" + filters;
    var wrapper = document.createElement("div");
    wrapper.className = "bcfc-filter";
    var label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = "Filter rows";
    var input = document.createElement("input");
    input.type = "search";
    input.id = id;
    input.autocomplete = "off";
    input.setAttribute("data-bcfc-filter", "");
    var status = document.createElement("span");
    status.className = "bcfc-filter-status";
    status.setAttribute("role", "status");
    wrapper.appendChild(label);
    wrapper.appendChild(input);
    wrapper.appendChild(status);
    var holder = table.closest(".bcfc-table") || table;
    holder.parentNode.insertBefore(wrapper, holder);
    input.addEventListener("input", function () {
      var wanted = input.value.trim().toLowerCase();
      var shown = 0;
      Array.prototype.forEach.call(body.rows, function (row) {
        var match = !wanted || row.textContent.toLowerCase().indexOf(wanted) !== -1;
        row.hidden = !match;
        if (match) shown += 1;
      });
      status.textContent = wanted ? shown + " of " + body.rows.length + " rows shown" : "";
    });
  }

  /* A box that scrolls sideways (a wide table, a long code line) must be reachable by keyboard. */
  function focusableScrollers() {
    var boxes = document.querySelectorAll(".md-typeset__scrollwrap, .md-typeset pre > code");
    Array.prototype.forEach.call(boxes, function (box) {
      if (box.scrollWidth > box.clientWidth + 1 && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        var caption = box.querySelector("caption");
        if (box.tagName !== "CODE") {
          box.setAttribute("role", "region");
          box.setAttribute("aria-label", caption ? caption.textContent + " (scrolls sideways)" : "Table (scrolls sideways)");
        }
      }
    });
  }

  function init() {
    focusableScrollers();
    window.setTimeout(focusableScrollers, 0);
    var tables = document.querySelectorAll("table[data-bcfc-sortable]:not([data-bcfc-ready]), " +
                                           "table[data-bcfc-filterable]:not([data-bcfc-ready])");
    Array.prototype.forEach.call(tables, function (table) {
      table.setAttribute("data-bcfc-ready", "");
      if (table.hasAttribute("data-bcfc-sortable")) makeSortable(table);
      if (table.hasAttribute("data-bcfc-filterable")) makeFilterable(table);
    });
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init);  /* Material's instant navigation, if it is turned on */
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
  window.addEventListener("load", focusableScrollers);
  window.addEventListener("resize", focusableScrollers);
})();
