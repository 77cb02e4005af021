// the finding's place in the original text is outlined and scrolled into view
(function () {
  var box = document.getElementById('source-text');
  var mark = box && box.querySelector('mark[data-start="' + box.dataset.start + '"]');
  if (!mark) return;
  mark.classList.add('gh-current');
  mark.scrollIntoView({ block: 'center' });
})();
