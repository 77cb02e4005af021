// the login in the other window gives this browser a new form token: send that one
(function () {
  var form = document.querySelector('form[data-csrf-cookie]');
  if (!form) return;
  form.addEventListener('submit', function () {
    var name = form.dataset.csrfCookie + '=';
    var found = document.cookie.split('; ').filter(function (c) { return c.indexOf(name) === 0; })[0];
    form.elements.csrfmiddlewaretoken.value = found ? decodeURIComponent(found.slice(name.length)) : '';
  });
})();
