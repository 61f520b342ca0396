// Dashboard charts (Apache ECharts). Data comes from a JSON block the page renders; every segment
// links to the project list filtered the same way, so a click shows the projects behind a figure.
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var colours = { red: "#d93025", yellow: "#e8a200", green: "#1e8e3e" };
  var labels = data.labels || {};

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

  // Investment completion per area, category and key list, against the time-proportional target.
  var investment = data.investment || {};
  ["area", "category", "key_list"].forEach(function (key) {
    var rows = investment[key] || [];
    mount("chart-investment-" + key, {
      animation: false,
      grid: { left: 8, right: 48, top: 28, bottom: 8, containLabel: true },
      tooltip: {
        trigger: "item",
        renderMode: "richText",
        formatter: function (p) {
          var d = p.data;
          return d.name + "\n" + (d.rate == null ? "—" : d.rate + "%") + " · " +
            (d.ytd / 10000).toFixed(0) + " / " + (d.plan / 10000).toFixed(0) + " " + (labels.wan || "");
        }
      },
      // Wide enough for the target's line as well as the bars.
      xAxis: {
        type: "value",
        axisLabel: { formatter: "{value}%" },
        max: function (extent) { return Math.ceil(Math.max(extent.max, investment.time_progress || 0, 1) / 10) * 10; }
      },
      yAxis: { type: "category", inverse: true, data: rows.map(function (d) { return d.name; }) },
      series: [{
        type: "bar",
        barMaxWidth: 28,
        data: rows.map(function (d) {
          var behind = d.rate != null && d.rate < investment.time_progress - 10;
          return { name: d.name, value: d.rate || 0, rate: d.rate, ytd: d.ytd, plan: d.plan, url: d.url,
                   itemStyle: { color: behind ? colours.yellow : "#2f6fad" } };
        }),
        label: { show: true, position: "right", formatter: "{c}%" },
        markLine: investment.time_progress ? {
          symbol: "none",
          silent: true,
          label: { formatter: (labels.target || "") + " {c}%", position: "start" },
          lineStyle: { color: colours.red, type: "dashed" },
          data: [{ xAxis: investment.time_progress }]
        } : undefined
      }]
    });
  });

  // Open issues per lead unit: the overdue part in red links to the board's overdue issues of the unit.
  var issues = data.issues || [];
  mount("chart-issues", {
    animation: false,
    grid: { left: 8, right: 16, top: 24, bottom: 8, containLabel: true },
    legend: { top: 0 },
    tooltip: { trigger: "item", renderMode: "richText" },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", inverse: true, data: issues.map(function (d) { return d.name; }) },
    series: [
      { name: labels.overdue || "", type: "bar", stack: "issues", barMaxWidth: 24, itemStyle: { color: colours.red },
        data: issues.map(function (d) { return { name: d.name, value: d.overdue, url: d.overdue_url }; }) },
      { name: labels.open || "", type: "bar", stack: "issues", itemStyle: { color: "#8a9bb0" },
        data: issues.map(function (d) { return { name: d.name, value: d.open - d.overdue, url: d.url }; }) }
    ]
  });

  // Reports missing this period per responsible unit, each bar opening its round's missing reports.
  var missing = data.missing || [];
  mount("chart-missing", {
    animation: false,
    grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
    tooltip: { trigger: "item", renderMode: "richText" },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", inverse: true, data: missing.map(function (d) { return d.name; }) },
    series: [{ type: "bar", barMaxWidth: 24, itemStyle: { color: colours.yellow }, label: { show: true, position: "right" },
      data: missing.map(function (d) { return { name: d.name, value: d.value, url: d.url }; }) }]
  });
})();
