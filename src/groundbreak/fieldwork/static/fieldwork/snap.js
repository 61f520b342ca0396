// Snap-and-report: the phone's position fills the hidden latitude/longitude fields and asks the
// server for the nearest projects to confirm. A static file: the content security policy allows
// no inline script. Without geolocation (or htmx) the page still works with the project list.
(function () {
  "use strict";
  var form = document.getElementById("snap-form");
  if (!form) { return; }
  var status = document.getElementById("position-status");
  var button = document.getElementById("locate");
  var fields = {
    lat: form.querySelector("input[name=latitude]"),
    lon: form.querySelector("input[name=longitude]"),
    accuracy: form.querySelector("input[name=accuracy]")
  };

  function say(text) { if (status) { status.textContent = text; } }

  function suggest(lat, lon) {
    if (typeof htmx === "undefined") { return; }
    var url = form.getAttribute("data-nearby") + "?lat=" + encodeURIComponent(lat) + "&lon=" + encodeURIComponent(lon);
    htmx.ajax("GET", url, { target: "#project-choice", swap: "innerHTML" });
  }

  function located(position) {
    var c = position.coords;
    fields.lat.value = c.latitude.toFixed(6);
    fields.lon.value = c.longitude.toFixed(6);
    fields.accuracy.value = Math.round(c.accuracy || 0);
    say(form.getAttribute("data-located") + " ±" + Math.round(c.accuracy || 0) + " m");
    suggest(fields.lat.value, fields.lon.value);
  }

  function failed() { say(form.getAttribute("data-denied")); }

  function locate() {
    if (!("geolocation" in navigator)) { failed(); return; }
    say(form.getAttribute("data-locating"));
    navigator.geolocation.getCurrentPosition(located, failed, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  }

  if (button) { button.addEventListener("click", locate); }
  // Posted back with an error, the position is already there: keep it.
  if (!fields.lat.value) { locate(); }
})();
