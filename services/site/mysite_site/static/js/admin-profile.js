// The owner's profile editor: collects the form into a JSON Resume document (keeping any
// fields the form does not know), saves it as a draft, previews and publishes it; reorders
// list items; uploads the photo. With ?translation= it edits a translation: each field beside the
// primary text, and only what differs from the primary is saved.
(function () {
  "use strict";
  var site = window.mysite;
  var t = site.t;
  var editor = document.getElementById("profile-editor");
  if (!editor) { return; }
  var bar = document.querySelector("[data-publish-bar]");
  var statusLine = bar.querySelector("[data-editor-status]");
  var alertBox = bar.querySelector("[data-editor-alert]");
  var stateLine = bar.querySelector("[data-draft-state]");
  var draft = JSON.parse(document.getElementById("draft-data").textContent || "{}");
  var primary = JSON.parse(document.getElementById("primary-data").textContent || "{}");
  var translation = editor.dataset.translation || "";
  var languageQuery = translation ? "?lang=" + encodeURIComponent(translation) : "";
  var dirty = false;

  // ------------------------------------------------------------ translations

  function isObject(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  }

  function same(a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
  }

  // The smallest translation that, merged over the primary (objects by key, lists by
  // position), gives `translated`; undefined when nothing differs. Mirrors translations.py.
  function deltaFrom(original, translated) {
    if (isObject(original) && isObject(translated)) {
      var delta = {};
      var changed = false;
      Object.keys(translated).forEach(function (key) {
        var part = key in original ? deltaFrom(original[key], translated[key]) : translated[key];
        if (part !== undefined) {
          delta[key] = part;
          changed = true;
        }
      });
      return changed ? delta : undefined;
    }
    if (Array.isArray(original) && Array.isArray(translated)) {
      var items = translated.concat(original.slice(translated.length)).map(function (value, index) {
        if (index >= original.length) { return value; }
        var part = deltaFrom(original[index], value);
        if (part === undefined) { return isObject(value) ? {} : value; }
        return part;
      });
      while (items.length && items.length <= original.length) {
        var last = items[items.length - 1];
        if (!(same(last, {}) || same(last, original[items.length - 1]))) { break; }
        items.pop();
      }
      return items.length ? items : undefined;
    }
    return same(original, translated) ? undefined : translated;
  }

  // The primary value of the field an input edits, found by its scope's place in the form.
  function primaryValue(input) {
    var scope = input.closest("[data-scope]");
    if (!scope) { return undefined; }
    var key = input.dataset.key;
    var basics = isObject(primary.basics) ? primary.basics : {};
    if (scope.dataset.object === "basics") { return basics[key]; }
    if (scope.dataset.object === "basics.location") {
      return isObject(basics.location) ? basics.location[key] : undefined;
    }
    var list = scope.closest("[data-list]");
    if (!list) { return undefined; }
    var name = list.dataset.list;
    var items = name === "basics.profiles" ? basics.profiles : primary[name];
    var index = listItems(name).indexOf(scope);
    var item = Array.isArray(items) ? items[index] : undefined;
    return isObject(item) ? item[key] : undefined;
  }

  function showPrimaryBeside() {
    editor.querySelectorAll("[data-key]").forEach(function (input) {
      var value = primaryValue(input);
      if (Array.isArray(value)) { value = value.join("\n"); }
      if (typeof value !== "string" || !value) { return; }
      var note = document.createElement("p");
      note.className = "primary-text";
      note.lang = editor.dataset.primaryLanguage;
      var label = document.createElement("span");
      label.className = "label";
      label.textContent = t("admin.lang.primary_text", { language: editor.dataset.primaryLabel });
      note.appendChild(label);
      note.appendChild(document.createTextNode(" " + value));
      input.closest(".field").appendChild(note);
    });
    // Items belong to the primary version: a translation follows its order and number.
    editor.querySelectorAll('button[data-action="add"], .item-tools').forEach(function (tool) {
      tool.hidden = true;
    });
  }

  if (translation) { showPrimaryBeside(); }

  // ------------------------------------------------------------ reading the form

  function readInput(input) {
    if (input.dataset.kind === "lines") {
      return input.value.split("\n").map(function (line) { return line.trim(); })
        .filter(function (line) { return line; });
    }
    return input.dataset.kind === "markdown" ? input.value.replace(/\s+$/, "") : input.value.trim();
  }

  function isEmpty(value) {
    return value === "" || (Array.isArray(value) && value.length === 0);
  }

  // Fields edited here replace the original's; fields the form does not show are kept.
  function collectScope(scope, original) {
    var result = Object.assign({}, original || {});
    scope.querySelectorAll("[data-key]").forEach(function (input) {
      if (input.closest("[data-scope]") !== scope) { return; }
      var value = readInput(input);
      if (isEmpty(value)) {
        delete result[input.dataset.key];
      } else {
        result[input.dataset.key] = value;
      }
    });
    return result;
  }

  function listItems(listName) {
    var list = editor.querySelector('[data-list="' + listName + '"] > [data-items]');
    return list ? Array.prototype.slice.call(list.children) : [];
  }

  function collectList(listName) {
    return listItems(listName)
      .map(function (item) {
        return collectScope(item, JSON.parse(item.dataset.original || "{}"));
      })
      .filter(function (value) { return Object.keys(value).length > 0; });
  }

  function setOrDrop(object, key, value) {
    var empty = Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0;
    if (empty) {
      delete object[key];
    } else {
      object[key] = value;
    }
  }

  function collectDocument() {
    var documentValue = Object.assign({}, draft);
    var originalBasics = draft.basics && typeof draft.basics === "object" ? draft.basics : {};
    var basics = collectScope(editor.querySelector('[data-object="basics"]'), originalBasics);
    setOrDrop(basics, "location", collectScope(
      editor.querySelector('[data-object="basics.location"]'), originalBasics.location
    ));
    setOrDrop(basics, "profiles", collectList("basics.profiles"));
    documentValue.basics = basics;
    editor.querySelectorAll("[data-list]").forEach(function (section) {
      var name = section.dataset.list;
      if (name.indexOf(".") === -1) {
        setOrDrop(documentValue, name, collectList(name));
      }
    });
    return documentValue;
  }

  // ------------------------------------------------------------ showing what the server said

  function say(text, kind) {
    statusLine.textContent = text;
    statusLine.className = "form-status" + (kind ? " " + kind : "");
  }

  function clearFieldErrors() {
    editor.querySelectorAll(".field-error").forEach(function (slot) {
      slot.hidden = true;
      slot.textContent = "";
    });
    editor.querySelectorAll("[aria-invalid]").forEach(function (input) {
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
    });
    alertBox.hidden = true;
    alertBox.textContent = "";
  }

  var errorIds = 0;

  // A path like work.0.startDate, or basics.location.city, to the input that holds it.
  function inputForPath(path) {
    var parts = path.split(".");
    var scope = null;
    var key = null;
    if (parts[0] === "basics") {
      if (parts[1] === "location") {
        scope = editor.querySelector('[data-object="basics.location"]');
        key = parts[2];
      } else if (parts[1] === "profiles") {
        scope = listItems("basics.profiles")[Number(parts[2])];
        key = parts[3];
      } else {
        scope = editor.querySelector('[data-object="basics"]');
        key = parts[1];
      }
    } else {
      scope = listItems(parts[0])[Number(parts[1])];
      key = parts[2];
    }
    if (!scope || !key) { return null; }
    var inputs = scope.querySelectorAll('[data-key="' + key + '"]');
    for (var i = 0; i < inputs.length; i += 1) {
      if (inputs[i].closest("[data-scope]") === scope) { return inputs[i]; }
    }
    return null;
  }

  function showProblems(result) {
    var data = result.data || {};
    var fields = data.fields || {};
    var first = null;
    Object.keys(fields).forEach(function (path) {
      var input = inputForPath(path);
      if (!input) { return; }
      var details = input.closest("details");
      if (details) { details.open = true; }
      var slot = input.closest(".field").querySelector(".field-error");
      errorIds += 1;
      slot.id = "editor-error-" + errorIds;
      slot.textContent = fields[path];
      slot.hidden = false;
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", slot.id);
      first = first || input;
    });
    alertBox.textContent = t("admin.not_saved", { message: site.errorMessage(result) });
    alertBox.hidden = false;
    say("");
    (first || alertBox).focus();
  }

  function showDraftState(hasChanges) {
    stateLine.textContent = hasChanges ? stateLine.dataset.changed : stateLine.dataset.same;
  }

  // ------------------------------------------------------------ saving and publishing

  async function saveDraft() {
    clearFieldErrors();
    say(t("admin.saving"));
    var documentValue = collectDocument();
    if (translation) {
      documentValue = deltaFrom(primary, documentValue) || {};
    }
    var result = await site.api("PUT", "/api/site/admin/draft" + languageQuery, { body: documentValue });
    if (!result.ok) {
      showProblems(result);
      return false;
    }
    draft = result.data.resume;
    // Later saves merge onto what was saved, not onto what the page was loaded with.
    listItemsEverywhere().forEach(function (item) {
      item.dataset.original = JSON.stringify(collectScope(item, JSON.parse(item.dataset.original || "{}")));
    });
    dirty = false;
    showDraftState(result.data.has_changes);
    say(t("admin.saved"), "ok");
    return true;
  }

  function listItemsEverywhere() {
    return Array.prototype.slice.call(editor.querySelectorAll("[data-items] > .item"));
  }

  async function publish() {
    if (!(await saveDraft())) { return; }
    var result = await site.api("POST", "/api/site/admin/publish");
    if (!result.ok && !(result.data && result.data.error === "no_draft")) {
      showProblems(result);
      return;
    }
    showDraftState(false);
    say(t("admin.published"), "ok");
  }

  async function discard(button) {
    if (!window.confirm(button.dataset.confirm)) { return; }
    var result = await site.api("DELETE", "/api/site/admin/draft" + languageQuery);
    if (!result.ok) {
      showProblems(result);
      return;
    }
    dirty = false;
    location.reload();
  }

  async function preview() {
    if (await saveDraft()) {
      location.assign("/admin/preview" + languageQuery);
    }
  }

  bar.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-action]");
    if (!button) { return; }
    var action = button.dataset.action;
    if (action === "save") { saveDraft(); }
    if (action === "publish") { publish(); }
    if (action === "preview") { preview(); }
    if (action === "discard") { discard(button); }
  });

  // ------------------------------------------------------------ list items: add, move, remove

  function retitle(item) {
    var section = item.closest("[data-list]");
    var titleField = section.dataset.titleField;
    var legend = item.querySelector("[data-item-title]");
    var input = item.querySelector('[data-key="' + titleField + '"]');
    if (legend && input) {
      legend.textContent = input.value.trim() || t("admin.new_item");
    }
  }

  editor.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-action]");
    if (!button) { return; }
    var section = button.closest("[data-list]");
    var action = button.dataset.action;
    if (action === "add") {
      var template = section.querySelector(":scope > template[data-item-template]");
      var list = section.querySelector(":scope > [data-items]");
      var item = template.content.firstElementChild.cloneNode(true);
      list.appendChild(item);
      var firstInput = item.querySelector("input, textarea");
      if (firstInput) { firstInput.focus(); }
      dirty = true;
      return;
    }
    var current = button.closest(".item");
    if (!current) { return; }
    if (action === "up" && current.previousElementSibling) {
      current.parentNode.insertBefore(current, current.previousElementSibling);
      button.focus();
    } else if (action === "down" && current.nextElementSibling) {
      current.parentNode.insertBefore(current.nextElementSibling, current);
      button.focus();
    } else if (action === "remove") {
      var neighbour = current.nextElementSibling || current.previousElementSibling;
      current.remove();
      var focusTarget = neighbour ? neighbour.querySelector("input, textarea") : section.querySelector('[data-action="add"]');
      if (focusTarget) { focusTarget.focus(); }
    } else {
      return;
    }
    dirty = true;
    say(t("admin.unsaved"));
  });

  editor.addEventListener("input", function (event) {
    dirty = true;
    var item = event.target.closest(".item");
    if (item) { retitle(item); }
  });

  window.addEventListener("beforeunload", function (event) {
    if (dirty) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // ------------------------------------------------------------ photo

  var photoForm = document.querySelector("[data-photo-form]");
  // The photo is shared by every language: its editor is on the primary version's page.
  if (photoForm) {
    var photoStatus = photoForm.querySelector("[data-photo-status]");
    var photoPreview = document.querySelector("[data-photo-preview]");
    var removeButton = photoForm.querySelector('[data-action="remove-photo"]');

    function photoSay(text, kind) {
      photoStatus.textContent = text;
      photoStatus.className = "form-status" + (kind ? " " + kind : "");
    }

    function showPhoto(url) {
      photoPreview.textContent = "";
      if (url) {
        var image = document.createElement("img");
        image.className = "avatar";
        image.src = url;
        image.alt = t("admin.photo.current");
        image.width = 120;
        image.height = 120;
        photoPreview.appendChild(image);
      } else {
        var none = document.createElement("p");
        none.className = "muted";
        none.textContent = t("admin.photo.none");
        photoPreview.appendChild(none);
      }
      removeButton.hidden = !url;
      // The photo is published at once; later draft saves must keep it.
      draft.basics = Object.assign({}, draft.basics || {});
      if (url) {
        draft.basics.image = url;
      } else {
        delete draft.basics.image;
      }
    }

    photoForm.addEventListener("submit", async function (event) {
      event.preventDefault();
      var file = photoForm.elements.photo.files[0];
      if (!file) {
        photoSay(t("admin.photo.choose_first"), "error");
        return;
      }
      if (file.size > 2 * 1024 * 1024) {
        photoSay(t("admin.photo.too_big"), "error");
        return;
      }
      var body = new FormData();
      body.append("photo", file);
      photoSay(t("admin.saving"));
      var result = await site.api("POST", "/api/site/photo", { body: body });
      if (!result.ok) {
        photoSay(site.errorMessage(result), "error");
        return;
      }
      showPhoto(result.data.url);
      photoForm.reset();
      photoSay(t("admin.photo.uploaded"), "ok");
    });

    removeButton.addEventListener("click", async function () {
      var result = await site.api("DELETE", "/api/site/photo");
      if (!result.ok) {
        photoSay(site.errorMessage(result), "error");
        return;
      }
      showPhoto(null);
      photoSay(t("admin.photo.removed"), "ok");
    });
  }

  // ------------------------------------------------------------ import

  var importForm = document.querySelector("[data-import-form]");
  var importStatus = importForm.querySelector("[data-import-status]");
  importForm.addEventListener("submit", async function (event) {
    event.preventDefault();
    var parsed;
    try {
      parsed = JSON.parse(importForm.querySelector("textarea").value);
    } catch (error) {
      importStatus.textContent = t("admin.import.invalid_json");
      importStatus.className = "form-status error";
      return;
    }
    var result = await site.api("PUT", "/api/site/admin/draft" + languageQuery, { body: parsed });
    if (!result.ok) {
      importStatus.textContent = t("admin.not_saved", { message: site.errorMessage(result) });
      importStatus.className = "form-status error";
      return;
    }
    dirty = false;
    location.reload();
  });
})();
