// Every htmx request carries the CSRF cookie's value in a header (starlette-csrf's
// double-submit check). The cookie is readable by design; the session cookie is not.
document.addEventListener("htmx:configRequest", function (event) {
  var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  if (match) {
    event.detail.headers["x-csrftoken"] = decodeURIComponent(match[1]);
  }
});
// "Select all" in the queue: keyboard and mouse alike.
document.addEventListener("change", function (event) {
  if (event.target && event.target.id === "select-all") {
    document.querySelectorAll("input[name=claim_ids]").forEach(function (box) {
      box.checked = event.target.checked;
    });
  }
});
