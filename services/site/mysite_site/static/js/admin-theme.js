// The theme picker: choosing a theme restyles this page at once (its theme stylesheet is
// swapped), so the owner sees it before visitors do; saving applies it to every page.
(function () {
  "use strict";
  var site = window.mysite;
  var t = site.t;
  var form = document.querySelector("[data-theme-form]");
  if (!form) { return; }
  var stylesheet = document.getElementById("theme-stylesheet");
  var statusLine = form.querySelector("[data-theme-status]");
  var previewLink = form.querySelector("[data-theme-preview]");
  var button = form.querySelector('button[type="submit"]');
  var saved = form.dataset.saved;

  function chosen() {
    var input = form.querySelector('input[name="theme"]:checked');
    return input ? input.value : saved;
  }

  function show(theme) {
    var input = form.querySelector('input[name="theme"][value="' + theme + '"]');
    if (!input) { return; }
    stylesheet.href = input.dataset.stylesheet;
    document.documentElement.dataset.theme = theme;
    previewLink.href = "/admin/preview?theme=" + encodeURIComponent(theme);
  }

  function say(text, kind) {
    statusLine.textContent = text;
    statusLine.className = "form-status" + (kind ? " " + kind : "");
  }

  form.addEventListener("change", function () {
    var theme = chosen();
    show(theme);
    say(theme === saved ? "" : t("admin.theme.unsaved"));
  });

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    var theme = chosen();
    button.disabled = true;
    say(t("admin.saving"));
    var result = await site.api("PUT", "/api/site/admin/settings", { body: { theme: theme } });
    button.disabled = false;
    if (result.ok) {
      saved = result.data.theme;
      form.dataset.saved = saved;
      say(t("admin.theme.saved"), "ok");
    } else {
      say(t("admin.not_saved", { message: site.errorMessage(result) }), "error");
    }
  });
})();
