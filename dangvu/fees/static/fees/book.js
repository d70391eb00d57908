// The month's fee book: one tap on a name steps what the collector says about that member through
// the row's choices (paid as due → unpaid → partial → ahead → excused → more); the amount, months or
// reason box appears when the choice needs it. Without this script each name has its own list.
(function () {
  "use strict";

  function recount(form) {
    var changed = 0;
    form.querySelectorAll("ul.fee-rows select").forEach(function (select) {
      if (select.value !== select.options[0].value) { changed += 1; }
    });
    var out = form.querySelector("[data-exceptions]");
    var hint = form.querySelector("[data-exceptions-hint]");
    if (out) { out.textContent = String(changed); }
    if (hint) { hint.hidden = changed === 0; }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-feebook]").forEach(function (form) {
      form.classList.add("js");
      recount(form);
      form.addEventListener("click", function (event) {
        var button = event.target.closest("button[data-cycle]");
        if (!button) { return; }
        var select = document.getElementById(button.getAttribute("data-cycle"));
        var next = (select.selectedIndex + 1) % select.options.length;
        select.selectedIndex = next;
        var row = button.closest("li");
        row.setAttribute("data-status", select.value);
        button.querySelector(".st").textContent = select.options[next].text;
        if (["partial", "more", "add", "ahead", "excused"].indexOf(select.value) >= 0 ||
            (select.value === "paid" && row.hasAttribute("data-nobasis"))) {
          var box = row.querySelector(select.value === "ahead" ? "label.months input" :
                                  select.value === "excused" ? "label.reason input" : "label.amount input");
          if (box) { box.focus({preventScroll: true}); }
        }
        recount(form);
      });
      form.addEventListener("change", function (event) {
        if (event.target.matches("ul.fee-rows select")) {
          event.target.closest("li").setAttribute("data-status", event.target.value);
          recount(form);
        }
      });
    });
  });
})();
