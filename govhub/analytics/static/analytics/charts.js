// Draws the back-office charts with Apache ECharts from the JSON options the view embeds
// (<script type="application/json" id="gh-echarts">). Each <div class="gh-chart"
// data-chart="name"> holds the server-side SVG, which stays when ECharts is unavailable.
(function () {
  "use strict";
  function draw() {
    var data = document.getElementById("gh-echarts");
    if (!data || !window.echarts) return;
    var options = JSON.parse(data.textContent);
    var charts = [];
    document.querySelectorAll(".gh-chart[data-chart]").forEach(function (el) {
      var opt = options[el.getAttribute("data-chart")];
      if (!opt) return;
      var fallback = el.querySelector(".gh-chart-fallback");
      var box = document.createElement("div");
      box.className = "gh-echarts";
      box.style.width = "100%";
      box.style.height = (el.getAttribute("data-height") || "300") + "px";
      el.insertBefore(box, el.firstChild);
      if (fallback) fallback.hidden = true;
      var chart = window.echarts.init(box, null, { renderer: "canvas" });
      chart.setOption(opt);
      charts.push(chart);
      el.setAttribute("data-rendered", "echarts");
    });
    window.addEventListener("resize", function () {
      charts.forEach(function (c) { c.resize(); });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
