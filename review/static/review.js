// Keyboard shortcuts of the staff review (no inline script: the CSP allows only files from our host).
// Queue: j/k select next/previous row, a approve, r reject, x tick for bulk, o/Enter open.
// Item view: j next (older) item, k previous (newer) item, a approve, r reject.
(function () {
  "use strict";

  function rows() { return Array.prototype.slice.call(document.querySelectorAll("tr.queue-row")); }
  function selectedIndex() { return rows().findIndex(function (row) { return row.classList.contains("selected"); }); }

  function select(index) {
    var all = rows();
    if (!all.length) { return; }
    index = Math.max(0, Math.min(index, all.length - 1));
    all.forEach(function (row) { row.classList.remove("selected"); });
    all[index].classList.add("selected");
    all[index].scrollIntoView({ block: "nearest" });
  }

  function decideRow(action) {
    var index = selectedIndex();
    if (index < 0) { return; }
    var button = rows()[index].querySelector("button[data-action='" + action + "']");
    if (!button) { select(index + 1); return; }
    pendingIndex = index + 1;
    button.click();
  }

  var pendingIndex = -1;
  document.addEventListener("htmx:afterSwap", function () {
    if (pendingIndex >= 0) { select(pendingIndex); pendingIndex = -1; }
  });

  function onQueueKey(key) {
    var index = selectedIndex();
    if (key === "j") { select(index + 1); return true; }
    if (key === "k") { select(index < 0 ? 0 : index - 1); return true; }
    if (key === "a") { decideRow("approve"); return true; }
    if (key === "r") { decideRow("reject"); return true; }
    if (index < 0) { return false; }
    var row = rows()[index];
    if (key === "x") { var box = row.querySelector("input[type=checkbox]"); box.checked = !box.checked; return true; }
    if (key === "o" || key === "Enter") { row.querySelector("a.open").click(); return true; }
    return false;
  }

  function onItemKey(key) {
    var target = { j: "nav-older", k: "nav-newer" }[key];
    if (target) { var link = document.getElementById(target); if (link) { link.click(); } return true; }
    var form = { a: "do-approve", r: "do-reject" }[key];
    if (form) { var element = document.getElementById(form); if (element) { element.requestSubmit(); } return true; }
    return false;
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) { return; }
    var t = event.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(t.tagName))) { return; }
    var handled = document.querySelector("table.queue") ? onQueueKey(event.key)
      : document.querySelector("article.item") ? onItemKey(event.key) : false;
    if (handled) { event.preventDefault(); }
  });

  // The header's box ticks every row of the page (bulk: e.g. all items the tagger judged not relevant).
  document.addEventListener("change", function (event) {
    if (event.target.id !== "select-all") { return; }
    rows().forEach(function (row) {
      var box = row.querySelector("input[type=checkbox]");
      if (box && !box.disabled) { box.checked = event.target.checked; }
    });
  });

  // Selecting a row with the mouse works too.
  document.addEventListener("click", function (event) {
    var row = event.target.closest && event.target.closest("tr.queue-row");
    if (row) { select(rows().indexOf(row)); }
  });
})();
