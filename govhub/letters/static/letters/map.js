// 问题分布: the letters being handled that left a position, on the county's own map tiles
(function () {
  var el = document.getElementById('letters-map');
  if (!el || !window.L) { if (el) el.hidden = true; return; }
  var points = JSON.parse(document.getElementById('letters-map-points').textContent);
  L.Icon.Default.imagePath = el.dataset.icons;
  var map = L.map(el, { attributionControl: false, zoomControl: false });
  L.control.zoom({ zoomInTitle: '放大', zoomOutTitle: '缩小' }).addTo(map);
  if (el.dataset.attribution) L.control.attribution({ prefix: false }).addAttribution(el.dataset.attribution).addTo(map);
  L.tileLayer(el.dataset.tiles, { maxZoom: 18 }).addTo(map);
  var bounds = [];
  points.forEach(function (p) {
    var m = L.marker([p.lat, p.lng], { title: p.category + '（' + p.town + '）', alt: p.category + '（' + p.town + '）' }).addTo(map);
    var box = document.createElement('div');
    var b = document.createElement('strong'); b.textContent = p.category; box.appendChild(b);
    box.appendChild(document.createElement('br'));
    box.appendChild(document.createTextNode(p.town + ' · ' + p.status));
    m.bindPopup(box);
    m.on('popupopen', function (e) {
      var c = e.popup.getElement().querySelector('.leaflet-popup-close-button');
      if (c) { c.setAttribute('aria-label', '关闭'); c.title = '关闭'; }
    });
    bounds.push([p.lat, p.lng]);
  });
  if (bounds.length) map.fitBounds(bounds, { padding: [24, 24], maxZoom: 15 });
  else map.setView([34.5, 109.7], 10);
  el.dataset.ready = String(bounds.length);
})();
