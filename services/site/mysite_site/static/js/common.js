// Shared by every page: interface strings, the CSRF token, JSON requests to the APIs behind
// the gateway, keeping the login session fresh, logout buttons, and small niceties.
(function () {
  "use strict";

  var stringsElement = document.getElementById("page-strings");
  var strings = {};
  try {
    strings = JSON.parse(stringsElement ? stringsElement.textContent : "{}");
  } catch (error) {
    strings = {};
  }

  function t(key, values) {
    var text = Object.prototype.hasOwnProperty.call(strings, key) ? strings[key] : key;
    Object.keys(values || {}).forEach(function (name) {
      text = text.split("{" + name + "}").join(String(values[name]));
    });
    return text;
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  // The auth service sets this readable cookie next to its HttpOnly session cookies.
  function hasSessionHint() {
    return document.cookie.split(";").some(function (part) {
      return part.trim() === "mysite_session=1";
    });
  }

  var refreshing = null;

  function refreshSession() {
    if (!refreshing) {
      refreshing = fetch("/api/auth/refresh", {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRF-Token": csrfToken() },
      })
        .then(function (response) { return response.ok; })
        .catch(function () { return false; })
        .finally(function () { setTimeout(function () { refreshing = null; }, 0); });
    }
    return refreshing;
  }

  // Resolves to {ok, status, data}; status 0 when the server could not be reached.
  async function api(method, url, options) {
    options = options || {};
    var headers = Object.assign({ Accept: "application/json" }, options.headers || {});
    var body = options.body;
    if (body !== undefined && !(body instanceof FormData)) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(body);
    }
    if (method !== "GET") {
      headers["X-CSRF-Token"] = csrfToken();
    }
    function send() {
      return fetch(url, { method: method, headers: headers, body: body, credentials: "same-origin" });
    }
    var response;
    try {
      response = await send();
      // An expired access token: renew it once with the refresh cookie, then try again.
      if (response.status === 401 && options.retry !== false && hasSessionHint()) {
        if (await refreshSession()) {
          response = await send();
        }
      }
    } catch (error) {
      return { ok: false, status: 0, data: null };
    }
    var data = null;
    if ((response.headers.get("content-type") || "").indexOf("json") !== -1) {
      try {
        data = await response.json();
      } catch (error) {
        data = null;
      }
    }
    return { ok: response.ok, status: response.status, data: data };
  }

  function safeNext(raw) {
    if (!raw || raw.charAt(0) !== "/" || raw.indexOf("//") === 0 || raw.indexOf("\\") !== -1) {
      return "/";
    }
    return raw;
  }

  function errorMessage(result) {
    if (result.status === 0) {
      return t("common.network_error");
    }
    return (result.data && result.data.message) || "HTTP " + result.status;
  }

  // The page came without identity (its access token had expired) but a session exists:
  // renew it and show the page again, once.
  function keepSession() {
    var viewer = document.body.dataset.viewer;
    if (!hasSessionHint()) {
      return;
    }
    if (viewer !== "anonymous") {
      // Renew before the access token (10 minutes) runs out while the page stays open.
      setInterval(refreshSession, 8 * 60 * 1000);
      return;
    }
    if (document.getElementById("login-form") || document.getElementById("signup-form")) {
      return; // those pages handle it themselves
    }
    if (document.body.hasAttribute("data-error-page")) {
      return; // the gateway shows these without identity; reloading would not change that
    }
    var key = "mysite-refreshed:" + location.pathname;
    try {
      if (sessionStorage.getItem(key)) {
        sessionStorage.removeItem(key);
        return;
      }
    } catch (error) {
      return;
    }
    refreshSession().then(function (ok) {
      if (ok) {
        try {
          sessionStorage.setItem(key, "1");
        } catch (error) {
          return;
        }
        location.reload();
      }
    });
  }

  function wireLogout() {
    document.querySelectorAll("form[data-logout-form]").forEach(function (form) {
      form.addEventListener("submit", async function (event) {
        event.preventDefault();
        var button = form.querySelector("button");
        if (button) { button.disabled = true; }
        var result = await api("POST", "/api/auth/logout", { retry: false });
        if (result.ok || result.status === 401) {
          var nextField = form.querySelector('input[name="next"]');
          var next = safeNext(form.dataset.next || (nextField && nextField.value));
          location.assign(next.indexOf("/admin") === 0 ? "/" : next);
          return;
        }
        if (button) { button.disabled = false; }
        var alert = document.querySelector("[data-form-alert]");
        if (alert) {
          alert.textContent = t("logout.failed");
          alert.hidden = false;
        } else {
          window.alert(errorMessage(result));
        }
      });
    });
  }

  function wireConfirmations() {
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.dataset.confirm)) {
          event.preventDefault();
        }
      });
    });
  }

  function localTimes() {
    var language = document.documentElement.lang || undefined;
    document.querySelectorAll("time[data-local-time]").forEach(function (element) {
      var when = new Date(element.getAttribute("datetime"));
      if (!isNaN(when.getTime())) {
        element.textContent = when.toLocaleString(language, { dateStyle: "medium", timeStyle: "short" });
      }
    });
  }

  window.mysite = {
    t: t,
    api: api,
    csrfToken: csrfToken,
    hasSessionHint: hasSessionHint,
    refreshSession: refreshSession,
    safeNext: safeNext,
    errorMessage: errorMessage,
  };

  document.addEventListener("DOMContentLoaded", function () {
    keepSession();
    wireLogout();
    wireConfirmations();
    localTimes();
  });
})();
