/* Zoom for the inline flowcharts (_ext/charts.py): the chart starts at its natural size (readable),
 * in a box that scrolls; the buttons enlarge, shrink, fit it to the column or restore its size.
 * Without JavaScript the chart is still there, at its natural size, and its text version below. */
(function () {
  "use strict";

  function setup(figure) {
    var svg = figure.querySelector("svg");
    var viewport = figure.querySelector(".netlib-chart-viewport");
    var tools = figure.querySelector(".netlib-chart-tools");
    if (!svg || !viewport || !tools) {
      return;
    }
    var box = svg.viewBox && svg.viewBox.baseVal;
    var natural = box && box.width ? box.width * 96 / 72 : svg.getBoundingClientRect().width;
    var ratio = box && box.width ? box.height / box.width : 1;
    var scale = 1;
    var apply = function () {
      var width = Math.max(120, natural * scale);
      svg.style.width = width + "px";
      svg.style.height = width * ratio + "px";
      svg.removeAttribute("width");
      svg.removeAttribute("height");
      figure.dataset.scale = scale.toFixed(2);
    };
    tools.hidden = false;
    tools.addEventListener("click", function (event) {
      var action = event.target.dataset && event.target.dataset.zoom;
      if (action === "in") {
        scale = Math.min(scale * 1.25, 4);
      } else if (action === "out") {
        scale = Math.max(scale / 1.25, 0.2);
      } else if (action === "fit") {
        scale = viewport.clientWidth / natural;
      } else if (action === "full") {
        scale = 1;
      } else {
        return;
      }
      apply();
    });
    apply();
  }

  function init() {
    document.querySelectorAll(".netlib-chart").forEach(setup);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
