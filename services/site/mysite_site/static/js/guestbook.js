// The guestbook form: a live count of the characters left (the server checks it too).
(function () {
  "use strict";
  document.querySelectorAll("textarea[data-count-target]").forEach(function (textarea) {
    var output = document.getElementById(textarea.dataset.countTarget);
    if (!output) { return; }
    var limit = Number(textarea.getAttribute("maxlength")) || 500;
    var template = output.dataset.template || "{count}";
    function update() {
      // Characters as people count them (code points), as the server does.
      var left = limit - Array.from(textarea.value).length;
      output.textContent = template.split("{count}").join(String(left));
    }
    textarea.addEventListener("input", update);
    update();
  });
})();
