// the letter form: the writer's position on request, the chosen files' names, one submission
(function () {
  var row = document.getElementById('place-row');
  if (navigator.geolocation && row) {
    row.hidden = false;
    document.getElementById('use-place').addEventListener('click', function () {
      var s = document.getElementById('place-status');
      s.textContent = '正在获取位置…';
      navigator.geolocation.getCurrentPosition(function (p) {
        document.querySelector('input[name=latitude]').value = p.coords.latitude.toFixed(6);
        document.querySelector('input[name=longitude]').value = p.coords.longitude.toFixed(6);
        s.textContent = '已记录位置';
      }, function () { s.textContent = '未能获取位置，可不填'; });
    });
  }
  var files = document.getElementById('id_attachments'), names = document.getElementById('file-names');
  if (files && names) {
    files.addEventListener('change', function () {
      var n = Array.prototype.map.call(files.files, function (x) { return x.name; });
      names.textContent = n.length ? '已选择：' + n.join('、') : '未选择文件';
    });
  }
  var f = document.querySelector('form.letter-form');
  if (f) f.addEventListener('submit', function () { document.getElementById('submit-letter').disabled = true; });
})();
