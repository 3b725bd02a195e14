/* Progress that keeps itself up to date without reloading the page (a meta refresh would
   move focus and fail WCAG 2.2.1): the element with data-watch="<seconds>" is read again
   from the same URL every few seconds, for at most data-watch-for seconds; when the fresh
   page's element has no data-watch any more (the import or the sending is over), the
   page is loaded once to show the result. Without JavaScript the "Check again" link does it. */
(function () {
  var region = document.querySelector("[data-watch]");
  if (!region || !window.fetch) return;
  var seconds = Number(region.getAttribute("data-watch")) || 3;
  var left = Math.ceil((Number(region.getAttribute("data-watch-for")) || 120) / seconds);
  function tick() {
    if (left-- <= 0) return;
    fetch(location.href, { credentials: "same-origin" }).then(function (response) {
      return response.ok ? response.text() : null;
    }).then(function (html) {
      if (html === null) return;
      var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(region.id);
      if (!fresh || !fresh.hasAttribute("data-watch")) { location.reload(); return; }
      region.innerHTML = fresh.innerHTML;
      setTimeout(tick, seconds * 1000);
    }).catch(function () { setTimeout(tick, seconds * 1000); });
  }
  setTimeout(tick, seconds * 1000);
})();
