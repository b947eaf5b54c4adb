// Keeps the page current: poll the sandbox's activity stamp each second and, when it changed,
// fetch this URL again and swap in the new navigation and content. No framework, no build.
(function () {
  "use strict";
  var body = document.body;
  var busy = false;

  function swap(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html");
    ["nav", "main"].forEach(function (id) {
      var now = document.getElementById(id), next = fresh.getElementById(id);
      if (now && next) now.replaceWith(next);
    });
    body.dataset.activity = fresh.body.dataset.activity;
    body.dataset.refreshes = String(Number(body.dataset.refreshes || 0) + 1);
  }

  function refresh() {
    busy = true;
    return fetch(location.href, { cache: "no-store" })
      .then(function (r) { return r.text(); })
      .then(swap)
      .finally(function () { busy = false; });
  }

  function poll() {
    fetch("/_sandbox/activity", { cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (a) { if (!busy && a.activity !== body.dataset.activity) return refresh(); })
      .catch(function () { /* the sandbox stopped: keep what is shown */ })
      .then(function () { setTimeout(poll, 1000); });
  }

  // Like Notion, show times in the viewer's timezone unless the address names one.
  var url = new URL(location.href);
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!url.searchParams.has("tz") && zone && zone !== body.dataset.tz) {
    url.searchParams.set("tz", zone);
    history.replaceState(null, "", url);
    refresh();
  }
  setTimeout(poll, 1000);
})();
