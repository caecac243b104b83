// quotacert placement pages: small enhancements only. Without this file the 查询 button posts the
// form and the server fills it; the women's retirement group shows after 查询; uploads go with the form.
"use strict";
(function () {
  function byId(id) { return document.getElementById(id); }

  // Show the women's retirement group as soon as a complete ID number says the person is a woman
  // (17th digit even, GB 11643); the server decides again on save.
  function femaleToggle() {
    var id = byId("idNumber"), group = byId("female-group");
    if (!id || !group) { return; }
    function update() {
      var v = id.value.trim();
      if (/^\d{17}[\dXx]$/.test(v)) { group.hidden = parseInt(v.charAt(16), 10) % 2 !== 0; }
    }
    id.addEventListener("input", update);
  }

  // The dispatch agency select matters only for dispatched persons.
  function dispatchToggle() {
    var yes = byId("dispatched-yes"), no = byId("dispatched-no"), field = byId("affiliate-field");
    if (!yes || !no || !field) { return; }
    function update() { field.hidden = !yes.checked; }
    yes.addEventListener("change", update);
    no.addEventListener("change", update);
    update();
  }

  // Category and level belong to a 残疾人证, the grade to a 残疾军人证: show the fields of the kind
  // chosen (both stay visible without script; the server ignores the other kind's fields).
  function kindToggle() {
    var dis = byId("certificateKind-disability"), vet = byId("certificateKind-veteran");
    var disFields = byId("disability-fields"), vetFields = byId("veteran-fields");
    if (!dis || !vet || !disFields || !vetFields) { return; }
    function update() { disFields.hidden = vet.checked; vetFields.hidden = !vet.checked; }
    dis.addEventListener("change", update);
    vet.addEventListener("change", update);
    update();
  }

  // A historical certificate's grade matters only for a 残疾军人证.
  function certificateKinds() {
    document.querySelectorAll("select[id$='.kind']").forEach(function (sel) {
      var item = sel.closest("fieldset"), grade = item && item.querySelector("[data-veteran-only]");
      if (!grade) { return; }
      function update() { grade.hidden = sel.value !== "veteran"; }
      sel.addEventListener("change", update);
      update();
    });
  }

  // On the grid, a failed month's evidence block is shown when its checkbox is ticked (all blocks
  // stay visible without script).
  function claimBlocks() {
    var boxes = document.querySelectorAll("input[data-failed]");
    boxes.forEach(function (box) {
      var block = byId("claim-" + box.value);
      if (!block) { return; }
      function update() { block.hidden = !box.checked && !block.querySelector(".field-error, .file-list, .reviewer-comment"); }
      box.addEventListener("change", update);
      update();
    });
  }

  document.addEventListener("DOMContentLoaded", function () { femaleToggle(); dispatchToggle(); kindToggle(); certificateKinds(); claimBlocks(); });
})();
