// The monthly routine page: one tap on a name steps its attendance through
// present → excused (reason shown) → absent → present; the count and the score total follow.
// Without this script the page still works: each name has its own list to choose from.
(function () {
  "use strict";
  var CYCLE = ["present", "excused", "absent"];
  var LABELS = {present: "Có mặt", excused: "Vắng có lý do", absent: "Vắng không lý do"};

  function recount(form) {
    var out = form.querySelector("[data-present]");
    if (out) {
      out.textContent = form.querySelectorAll("ul.cycle li[data-status=present]").length;
    }
  }

  function retotal(form) {
    var out = form.querySelector("[data-total]");
    if (!out) { return; }
    var total = 0;
    form.querySelectorAll("[data-auto]").forEach(function (li) { total += parseFloat(li.getAttribute("data-auto")) || 0; });
    form.querySelectorAll(".score-list input[type=number]").forEach(function (input) {
      total += parseFloat(input.value) || 0;
    });
    out.textContent = String(Math.round(total * 100) / 100).replace(".", ",");
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-routine]").forEach(function (form) {
      form.classList.add("js");
      form.addEventListener("click", function (event) {
        var button = event.target.closest("button[data-cycle]");
        if (!button) { return; }
        var select = document.getElementById(button.getAttribute("data-cycle"));
        var next = CYCLE[(CYCLE.indexOf(select.value) + 1) % CYCLE.length];
        select.value = next;
        var row = button.closest("li");
        row.setAttribute("data-status", next);
        button.querySelector(".st").textContent = LABELS[next];
        if (next === "excused") {
          var reason = row.querySelector(".reason input");
          if (reason) { reason.focus({preventScroll: true}); }
        }
        recount(form);
      });
      form.addEventListener("input", function (event) {
        if (event.target.matches(".score-list input")) { retotal(form); }
      });
    });
  });
})();
