// Filters the failures table by kind, status and text. Without this script
// the form stays hidden and the whole table shows.
(function () {
  "use strict";
  var form = document.getElementById("failure-filters");
  if (!form) return;
  var rows = Array.prototype.slice.call(document.querySelectorAll("table.failures tbody tr"));
  var params = new URLSearchParams(window.location.search);
  ["kind", "status", "text"].forEach(function (name) {
    if (params.has(name)) form.elements[name].value = params.get(name);
  });
  function apply() {
    var kind = form.elements.kind.value;
    var status = form.elements.status.value;
    var text = form.elements.text.value.trim().toLowerCase();
    var shown = 0;
    rows.forEach(function (row) {
      var ok = (!kind || row.dataset.kind === kind) &&
        (!status || row.dataset.status === status) &&
        (!text || row.dataset.text.indexOf(text) !== -1);
      row.hidden = !ok;
      if (ok) shown += 1;
    });
    form.elements.count.value = shown + " of " + rows.length + " shown";
  }
  form.addEventListener("input", apply);
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  form.hidden = false;
  apply();
})();
