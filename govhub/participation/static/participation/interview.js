// The live interview page: ask the small JSON feed for lines after the last one shown and add
// them, without reloading. Text is set with textContent, so nothing typed becomes markup.
(function () {
  "use strict";
  var list = document.getElementById("live");
  if (!list || list.dataset.status !== "live" || !window.fetch) return;
  var feed = list.dataset.feed;
  var last = parseInt(list.dataset.last || "0", 10) || 0;
  var status = document.getElementById("iv-status");
  var empty = document.getElementById("no-entries");
  var hint = document.getElementById("live-hint");

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function add(entry) {
    if (document.getElementById("e-" + entry.id)) return;
    var li = el("li", "card entry fresh");
    li.id = "e-" + entry.id;
    if (entry.question) {
      var ask = el("p", "ask");
      ask.appendChild(el("strong", "", entry.question.author));
      ask.appendChild(document.createTextNode(" 问：" + entry.question.text));
      li.appendChild(ask);
    }
    var say = el("p", "say");
    say.appendChild(el("strong", "", entry.speaker));
    say.appendChild(document.createTextNode("：" + entry.text));
    li.appendChild(say);
    if (entry.image) {
      var img = el("img");
      img.src = entry.image;
      img.alt = entry.speaker + "发布的图片";
      li.appendChild(img);
    }
    li.appendChild(el("span", "meta", entry.at));
    list.appendChild(li);
    if (empty) { empty.remove(); empty = null; }
  }

  function poll() {
    fetch(feed + "?after=" + last, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (data) {
        data.entries.forEach(add);
        last = data.last;
        list.dataset.last = String(last);
        if (status) status.textContent = data.status_label;
        if (data.status === "live") {
          setTimeout(poll, data.poll_seconds * 1000);
        } else if (hint) {
          hint.textContent = "访谈已结束，感谢关注。文字实录将在整理后发布。";
        }
      })
      .catch(function () { setTimeout(poll, 15000); });
  }
  setTimeout(poll, 1000 * (parseInt(list.dataset.poll || "5", 10) || 5));
})();
