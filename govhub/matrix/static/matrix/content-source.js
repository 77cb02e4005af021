// the finding's place in the original text is scrolled into view
(function () {
  var box = document.getElementById('source-text');
  var mark = box && box.querySelector('mark[data-start="' + box.dataset.start + '"]');
  if (mark) mark.scrollIntoView({ block: 'center' });
})();
