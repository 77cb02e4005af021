// 公众号模拟器: messages and menu clicks sent as WeChat would, the real replies shown
(function () {
  var box = document.getElementById('sim');
  if (!box) return;
  var log = document.getElementById('sim-log'), url = box.dataset.url;
  var csrf = document.querySelector('input[name=csrfmiddlewaretoken]') || { value: (document.cookie.match(/csrftoken=([^;]+)/) || [])[1] };
  function add(t, c) {
    var d = document.createElement('div');
    d.className = 'bubble ' + c; d.textContent = t; log.appendChild(d); log.scrollTop = log.scrollHeight;
  }
  function send(payload, label) {
    if (label) add(label, payload.type === 'text' ? 'me' : 'sys');
    fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrf.value }, body: JSON.stringify(payload), credentials: 'same-origin' })
      .then(function (r) { return r.json(); }).then(function (d) {
        document.getElementById('sim-xml').textContent = d.request_xml || '';
        if (d.status && d.status !== 200) { add('服务器返回 ' + d.status + '：' + d.error, 'sys'); return; }
        if (d.message && !d.status) { add(d.message, 'sys'); return; }
        if (d.reply_type === 'news') { d.articles.forEach(function (a) { add('【图文】' + a.title + '\n' + a.description + '\n' + a.url, 'bot'); }); }
        else if (d.reply) { add(d.reply, 'bot'); } else { add('（无回复）', 'sys'); }
      }).catch(function () { add('网络错误', 'sys'); });
  }
  document.getElementById('sim-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var i = document.getElementById('sim-input'); var t = i.value.trim();
    if (!t) return;
    i.value = ''; send({ type: 'text', content: t }, t);
  });
  box.querySelectorAll('.menu button').forEach(function (b) {
    b.addEventListener('click', function () { send({ type: b.dataset.type, key: b.dataset.key || '' }, '[' + b.textContent + ']'); });
  });
})();
