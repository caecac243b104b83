// quotacert: small progressive enhancements only; every core flow works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // Move focus to the first field reported invalid so keyboard and screen-reader users land on it.
  var invalid = document.querySelector('[aria-invalid="true"]');
  if (invalid) { invalid.focus(); }
});
