// The set-up page's "Copy key" button: shown only when scripts and the clipboard are available.
// The page works without it (the key is printed and selectable); no inline script, so the CSP holds.
(function () {
  var button = document.getElementById("copy-key");
  var key = document.getElementById("secret");
  var status = document.getElementById("copy-status");
  if (!button || !key || !status || !navigator.clipboard || !window.isSecureContext) {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    var text = key.textContent.replace(/\s+/g, "");
    navigator.clipboard.writeText(text).then(
      function () { status.textContent = button.getAttribute("data-copied"); },
      function () { status.textContent = button.getAttribute("data-failed"); }
    );
  });
})();
