// Đảng vụ: the few page behaviours, as one static script (the Content-Security-Policy forbids
// inline scripts, on* attributes and javascript: links). Every page works without it, only less handily.
(function () {
  "use strict";

  // <a data-back href="…">: go back in history when there is one, else follow the link.
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-back]");
    if (link && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
  });

  // <form data-action-from="select-id">: the chosen option's value is where the form goes.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var id = form.getAttribute && form.getAttribute("data-action-from");
    var select = id && document.getElementById(id);
    if (select && select.value) {
      form.action = select.value;
    }
  });

  // <input type="checkbox" data-marks-row>: ticking it ticks the first box of its table row.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (box.matches && box.matches("input[data-marks-row]") && box.checked) {
      var first = box.closest("tr").querySelector("input");
      if (first) {
        first.checked = true;
      }
    }
  });
})();
