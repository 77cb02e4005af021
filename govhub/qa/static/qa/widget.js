/* 在线咨询小窗：增强 /qa/ 的表单；不支持脚本时表单照常工作。同一问答引擎（/api/qa/ask）。 */
(function () {
  var root = document.getElementById("qa-chat");
  if (!root || !window.fetch) return;
  var session = root.getAttribute("data-session");
  var form = root.querySelector("form.qa-form");
  var input = form.querySelector("input[name=q]");
  var log = document.createElement("div");
  log.className = "qa-log"; log.setAttribute("aria-live", "polite");
  root.insertBefore(log, form);
  var lastReply = 0;
  function add(text, who) {
    var p = document.createElement("div");
    p.className = "qa-msg " + (who === "me" ? "qa-me" : "qa-bot");
    p.textContent = text; log.appendChild(p); log.scrollTop = log.scrollHeight; return p;
  }
  function post(url, body) {
    return fetch(url, {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)})
      .then(function (r) { return r.json(); });
  }
  function handover(q) {
    post("/api/qa/chat/handover", {question: q, session: session}).then(function (d) { add(d.text || d.message, "bot"); });
  }
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var q = input.value.trim(); if (!q) return;
    add(q, "me"); input.value = "";
    post("/api/qa/ask", {question: q, session: session}).then(function (d) {
      if (d.error) { add(d.message, "bot"); return; }
      var box = add(d.text + (d.department ? "\n（答复部门：" + d.department + "）" : ""), "bot");
      (d.links || []).forEach(function (l) { var a = document.createElement("a"); a.href = l.url; a.textContent = l.title; box.appendChild(document.createElement("br")); box.appendChild(a); });
      if (!d.answered) {
        var b = document.createElement("button"); b.type = "button"; b.textContent = "转人工客服";
        b.addEventListener("click", function () { b.disabled = true; handover(q); });
        var a = document.createElement("a"); a.href = "/letters/write/"; a.textContent = "给县长信箱写信";
        box.appendChild(document.createElement("br")); box.appendChild(b); box.appendChild(document.createTextNode(" ")); box.appendChild(a);
      }
    }).catch(function () { add("网络异常，请稍后再试。", "bot"); });
  });
  setInterval(function () {
    fetch("/api/qa/chat/replies?session=" + encodeURIComponent(session) + "&after=" + lastReply)
      .then(function (r) { return r.json(); })
      .then(function (d) { (d.replies || []).forEach(function (r) { lastReply = Math.max(lastReply, r.id); add("工作人员：" + r.text, "bot"); }); })
      .catch(function () {});
  }, 5000);
})();
