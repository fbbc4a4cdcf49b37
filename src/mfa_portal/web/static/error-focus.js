// Move keyboard and screen-reader focus to the error summary when a form comes back with errors.
(function () {
  var summary = document.querySelector(".error-summary");
  if (summary) {
    summary.setAttribute("tabindex", "-1");
    summary.focus();
  }
})();
