// Battle map (挂图作战): projects as points coloured by their light. Works without any tile server:
// with no tiles configured the points stand on a plain background, so no page needs the internet.
(function () {
  "use strict";
  var element = document.getElementById("battle-map");
  if (!element || typeof L === "undefined") { return; }
  var config = JSON.parse(document.getElementById("map-config").textContent);
  var english = (document.documentElement.lang || "").indexOf("en") === 0;
  var colours = { red: "#d93025", yellow: "#e8a200", green: "#1e8e3e" };
  var map = L.map(element, { preferCanvas: false }).setView([31.2, 121.4], 5);
  if (config.tiles) {
    L.tileLayer(config.tiles, { attribution: config.attribution || "", maxZoom: 18 }).addTo(map);
  } else {
    element.classList.add("no-tiles");
  }

  function text(value) {
    var span = document.createElement("span");
    span.textContent = value == null ? "" : String(value);
    return span.innerHTML;
  }

  fetch(element.getAttribute("data-geojson"), { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
    .then(function (response) { return response.json(); })
    .then(function (collection) {
      var layer = L.geoJSON(collection, {
        pointToLayer: function (feature, latlng) {
          var colour = colours[feature.properties.light] || "#5f6b7a";
          return L.circleMarker(latlng, { radius: 8, color: "#fff", weight: 2, fillColor: colour, fillOpacity: 0.95 });
        },
        onEachFeature: function (feature, marker) {
          var p = feature.properties;
          var name = english && p.name_en ? p.name_en : p.name;
          marker.bindPopup(
            "<strong>" + text(name) + "</strong><br>" + text(p.code) +
            "<br><a href=\"" + encodeURI(p.url) + "\">" + text(element.getAttribute("data-open-label")) + "</a>"
          );
        }
      }).addTo(map);
      // Mark each point with its project, for people using assistive tools and for tests.
      layer.eachLayer(function (marker) {
        var el = marker.getElement();
        if (el) {
          el.setAttribute("data-code", marker.feature.properties.code);
          el.setAttribute("data-light", marker.feature.properties.light || "");
        }
      });
      if (collection.features.length) { map.fitBounds(layer.getBounds(), { padding: [24, 24], maxZoom: 13 }); }
      element.setAttribute("data-ready", String(collection.features.length));
    });
})();
