/* 门户各页右下角的“在线咨询”入口：无脚本时是指向 /qa/ 的链接；有脚本时打开聊天小窗，
   使用同一问答引擎（/api/qa/ask），答不上时可转人工（进入统一留言箱）或给县长信箱写信。 */
(function () {
  var entry = document.getElementById("qa-entry");
  if (!entry || !window.fetch || document.getElementById("qa-chat")) return;
  var panel, log, input, lastReply = 0, polling = null;

  function sessionRef() {
    var key = "govhub-chat-session", ref = null;
    try { ref = localStorage.getItem(key); } catch (e) {}
    if (!ref || ref.indexOf("chat-") !== 0) {
      var bytes = new Uint8Array(12); (window.crypto || window.msCrypto).getRandomValues(bytes);
      ref = "chat-" + Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
      try { localStorage.setItem(key, ref); } catch (e) {}
    }
    return ref;
  }
  var session = sessionRef();

  function add(text, who) {
    var p = document.createElement("div");
    p.className = "qa-pmsg " + (who === "me" ? "qa-pme" : "qa-pbot");
    p.textContent = text; log.appendChild(p); log.scrollTop = log.scrollHeight; return p;
  }
  function post(url, body) {
    return fetch(url, {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)})
      .then(function (r) { return r.json(); });
  }
  function poll() {
    if (polling) return;
    polling = setInterval(function () {
      fetch("/api/qa/chat/replies?session=" + encodeURIComponent(session) + "&after=" + lastReply)
        .then(function (r) { return r.json(); })
        .then(function (d) { (d.replies || []).forEach(function (r) { lastReply = Math.max(lastReply, r.id); add("工作人员：" + r.text, "bot"); }); })
        .catch(function () {});
    }, 5000);
  }
  function ask(q) {
    add(q, "me");
    post("/api/qa/ask", {question: q, session: session}).then(function (d) {
      if (d.error) { add(d.message, "bot"); return; }
      var box = add(d.text + (d.department ? "\n（答复部门：" + d.department + "）" : ""), "bot");
      (d.links || []).forEach(function (l) { var a = document.createElement("a"); a.href = l.url; a.textContent = l.title; box.appendChild(document.createElement("br")); box.appendChild(a); });
      if (!d.answered) {
        var b = document.createElement("button"); b.type = "button"; b.textContent = "转人工客服";
        b.addEventListener("click", function () {
          b.disabled = true;
          post("/api/qa/chat/handover", {question: q, session: session}).then(function (h) { add(h.text || h.message, "bot"); poll(); });
        });
        var a = document.createElement("a"); a.href = "/letters/write/"; a.textContent = "给县长信箱写信";
        box.appendChild(document.createElement("br")); box.appendChild(b); box.appendChild(document.createTextNode(" ")); box.appendChild(a);
      }
    }).catch(function () { add("网络异常，请稍后再试。", "bot"); });
  }
  function build() {
    panel = document.createElement("section");
    panel.className = "qa-panel"; panel.id = "qa-panel";
    panel.setAttribute("role", "dialog"); panel.setAttribute("aria-label", "在线咨询");
    panel.innerHTML = '<header><strong>在线咨询</strong><button type="button" aria-label="关闭">×</button></header>' +
      '<div class="qa-plog" aria-live="polite"></div>' +
      '<form><label for="qa-pinput" class="visually-hidden">您的问题</label><input id="qa-pinput" maxlength="500" placeholder="请输入问题，例如：怎么办理居住证" autocomplete="off"><button type="submit">发送</button></form>';
    document.body.appendChild(panel);
    log = panel.querySelector(".qa-plog"); input = panel.querySelector("input");
    add("您好！请直接输入您要咨询的问题。", "bot");
    panel.querySelector("header button").addEventListener("click", function () { panel.hidden = true; entry.focus(); });
    panel.querySelector("form").addEventListener("submit", function (ev) {
      ev.preventDefault(); var q = input.value.trim(); if (!q) return; input.value = ""; ask(q);
    });
    panel.addEventListener("keydown", function (ev) { if (ev.key === "Escape") { panel.hidden = true; entry.focus(); } });
  }
  entry.addEventListener("click", function (ev) {
    ev.preventDefault();
    if (!panel) build(); else panel.hidden = !panel.hidden;
    if (!panel.hidden) input.focus();
  });
})();
