// A conditional question (data-show-if = an option id of an earlier question) shows only when
// that option is chosen. Without JavaScript every question shows with a note saying when to
// answer it, and the server ignores answers to a question whose condition was not met.
(function () {
  "use strict";
  var form = document.getElementById("survey-form");
  if (!form) return;
  var dependent = form.querySelectorAll("fieldset[data-show-if]");
  if (!dependent.length) return;

  function chosen(optionId) {
    var input = form.querySelector('input[value="' + optionId + '"]:checked');
    return !!input && /^q\d+$/.test(input.name);
  }

  function update() {
    dependent.forEach(function (fs) {
      var show = chosen(fs.dataset.showIf);
      fs.hidden = !show;
      var note = fs.querySelector(".cond");
      if (note) note.hidden = true;
      fs.querySelectorAll("input, select, textarea").forEach(function (el) {
        el.disabled = !show;
      });
    });
  }
  form.addEventListener("change", update);
  update();
})();
