// Kauf regional: a small self-hosted map (no library, no CDN). Tiles come only from the configured tile
// server; markers link to the business pages. The list pages work without this file.
(function () {
  "use strict";
  var holder = document.getElementById("kr-map");
  var source = document.getElementById("kr-map-data");
  if (!holder || !source) { return; }
  var data = JSON.parse(source.textContent);
  var points = data.points || [];
  if (!points.length || !/^https?:\/\//.test(data.tiles)) { return; }
  var TILE = 256;

  function project(lat, lon, zoom) {
    var scale = TILE * Math.pow(2, zoom);
    var sin = Math.sin(lat * Math.PI / 180);
    return { x: (lon + 180) / 360 * scale, y: (0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI)) * scale };
  }

  function fitZoom(width, height) {
    for (var zoom = 16; zoom > 3; zoom--) {
      var a = project(maxLat, minLon, zoom), b = project(minLat, maxLon, zoom);
      if (b.x - a.x <= width - 40 && b.y - a.y <= height - 40) { return zoom; }
    }
    return 3;
  }

  var minLat = 90, maxLat = -90, minLon = 180, maxLon = -180;
  points.forEach(function (p) {
    minLat = Math.min(minLat, p.lat); maxLat = Math.max(maxLat, p.lat);
    minLon = Math.min(minLon, p.lon); maxLon = Math.max(maxLon, p.lon);
  });
  var width = holder.clientWidth, height = holder.clientHeight;
  var zoom = fitZoom(width, height);

  function draw() {
    while (holder.firstChild) { holder.removeChild(holder.firstChild); }
    var centre = project((minLat + maxLat) / 2, (minLon + maxLon) / 2, zoom);
    var left = centre.x - width / 2, top = centre.y - height / 2;
    var count = Math.pow(2, zoom);
    for (var tx = Math.floor(left / TILE); tx <= Math.floor((left + width) / TILE); tx++) {
      for (var ty = Math.floor(top / TILE); ty <= Math.floor((top + height) / TILE); ty++) {
        if (ty < 0 || ty >= count) { continue; }
        var img = document.createElement("img");
        img.alt = "";
        img.src = data.tiles.replace("{z}", zoom).replace("{x}", ((tx % count) + count) % count).replace("{y}", ty);
        img.style.left = (tx * TILE - left) + "px";
        img.style.top = (ty * TILE - top) + "px";
        holder.appendChild(img);
      }
    }
    points.forEach(function (p) {
      var at = project(p.lat, p.lon, zoom);
      var pin = document.createElement("a");
      pin.className = "kr-pin";
      pin.href = p.href;
      pin.title = p.name;  // text, never markup
      pin.setAttribute("aria-label", p.name);
      pin.style.left = (at.x - left) + "px";
      pin.style.top = (at.y - top) + "px";
      holder.appendChild(pin);
    });
    holder.appendChild(button("+", 1));
    holder.appendChild(button("−", -1));
  }

  function button(label, step) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.className = "kr-zoom";
    b.style.position = "absolute";
    b.style.right = "8px";
    b.style.top = (step > 0 ? 8 : 40) + "px";
    b.addEventListener("click", function () { zoom = Math.max(3, Math.min(18, zoom + step)); draw(); });
    return b;
  }

  draw();
}());
