// Dashboard charts (Apache ECharts). Data comes from a JSON block the page renders; every segment
// links to the project list filtered the same way, so a click shows the projects behind a figure.
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var colours = { red: "#d93025", yellow: "#e8a200", green: "#1e8e3e" };

  function follow(params) {
    if (params && params.data && params.data.url) { window.location.href = params.data.url; }
  }

  function mount(id, option) {
    var element = document.getElementById(id);
    if (!element) { return null; }
    var chart = echarts.init(element, null, { renderer: "svg" });
    chart.setOption(option);
    chart.on("click", follow);
    window.addEventListener("resize", function () { chart.resize(); });
    element.setAttribute("data-ready", "1");
    return chart;
  }

  mount("chart-pipeline", {
    animation: false,
    grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
    tooltip: { trigger: "axis", renderMode: "richText" },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", inverse: true, data: data.pipeline.map(function (d) { return d.name; }) },
    series: [{ type: "bar", data: data.pipeline, itemStyle: { color: "#b3261e" }, label: { show: true, position: "right" } }]
  });

  mount("chart-lights", {
    animation: false,
    tooltip: { trigger: "item", renderMode: "richText" },
    series: [{
      type: "pie",
      radius: ["40%", "70%"],
      data: data.lights.map(function (d) {
        return { name: d.name, value: d.value, url: d.url, itemStyle: { color: colours[d.light] } };
      }),
      label: { formatter: "{b}: {c}" }
    }]
  });
})();
