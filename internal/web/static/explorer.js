// URL explorer: adds filter rows and offers, in each row, only the
// operators of the chosen field's kind. The form works without it.
"use strict";

(function () {
  var filters = document.getElementById("filters");
  var add = document.getElementById("add-filter");
  if (!filters || !add) return;
  var HINTS = { int: "a number", float: "a number", bool: "true or false", time: "2025-01-31", hash: "16 hex digits", text: "" };

  function sync(row) {
    var field = row.querySelector(".ff"), op = row.querySelector(".fo"), value = row.querySelector(".fv");
    var chosen = field.options[field.selectedIndex];
    var kind = chosen ? chosen.getAttribute("data-kind") : "";
    var first = null;
    for (var i = 0; i < op.options.length; i++) {
      var o = op.options[i];
      var ok = !kind || (" " + o.getAttribute("data-kinds") + " ").indexOf(" " + kind + " ") >= 0;
      o.hidden = !ok;
      o.disabled = !ok;
      if (ok && !first) first = o;
    }
    if (op.selectedIndex < 0 || op.options[op.selectedIndex].disabled) op.value = first ? first.value : "";
    var sel = op.options[op.selectedIndex];
    value.hidden = !!(sel && sel.hasAttribute("data-novalue"));
    value.setAttribute("placeholder", HINTS[kind] || "");
  }

  function wire(row) {
    row.querySelector(".ff").addEventListener("change", function () { sync(row); });
    row.querySelector(".fo").addEventListener("change", function () { sync(row); });
    sync(row);
  }

  var rows = filters.querySelectorAll(".filter-row");
  for (var i = 0; i < rows.length; i++) wire(rows[i]);

  add.hidden = false;
  add.addEventListener("click", function () {
    var all = filters.querySelectorAll(".filter-row");
    var row = all[all.length - 1].cloneNode(true);
    var n = all.length;
    ["ff", "fo", "fv"].forEach(function (k) {
      var input = row.querySelector("." + k);
      var label = row.querySelector('label[for="' + input.id + '"]');
      input.id = k + "-" + n;
      if (label) label.setAttribute("for", input.id);
    });
    var remove = row.querySelector(".remove");
    if (remove) remove.parentNode.removeChild(remove);
    row.querySelector(".ff").value = "";
    row.querySelector(".fv").value = "";
    filters.insertBefore(row, add);
    wire(row);
    row.querySelector(".ff").focus();
  });
})();
