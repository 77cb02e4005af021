// one letter's position in the back office
(function () {
  var el = document.getElementById('letter-map');
  if (!el || !window.L) { if (el) el.hidden = true; return; }
  L.Icon.Default.imagePath = el.dataset.icons;
  var at = [parseFloat(el.dataset.lat), parseFloat(el.dataset.lng)];
  var map = L.map(el, { attributionControl: false, zoomControl: false }).setView(at, 15);
  L.control.zoom({ zoomInTitle: '放大', zoomOutTitle: '缩小' }).addTo(map);
  L.tileLayer(el.dataset.tiles, { maxZoom: 18 }).addTo(map);
  L.marker(at, { title: '来信地点', alt: '来信地点' }).addTo(map);
  el.dataset.ready = '1';
})();
