// "返回上一页" goes back (the browser keeps what was typed there); without a history, home
(function () {
  var link = document.querySelector('a[data-back]');
  if (!link || window.history.length < 2) return;
  link.addEventListener('click', function (e) { e.preventDefault(); window.history.back(); });
})();
