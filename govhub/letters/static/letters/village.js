// town → village: only the chosen town's villages are offered (without JavaScript: all, grouped by town)
(function () {
  var town = document.getElementById('id_town'), village = document.getElementById('id_village');
  if (!town || !village) return;
  var all = Array.prototype.slice.call(village.querySelectorAll('option[data-town]'));
  var empty = village.querySelector('option[value=""]');
  var show = function () {
    var t = town.value, keep = village.value;
    while (village.firstChild) village.removeChild(village.firstChild);
    village.appendChild(empty);
    all.forEach(function (o) { if (o.getAttribute('data-town') === t) village.appendChild(o); });
    village.value = all.some(function (o) { return o.value === keep && o.getAttribute('data-town') === t; }) ? keep : '';
    village.disabled = !t;
    empty.textContent = t ? '— 请选择村（社区） —' : '— 请先选择乡镇 —';
  };
  town.addEventListener('change', show);
  show();
})();
