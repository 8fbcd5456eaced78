// Loaded after require.js and before embed-amd.js (nb_ipywidgets_js in _config.yml).
(function () {
  // 1. Tell require.js where the vendored widget modules are.  embed-amd.js derives its
  //    public path from the AMD module URI; without these paths its icon fonts are
  //    requested relative to the page and 404.
  var src = document.currentScript.src;
  var dir = src.substring(0, src.lastIndexOf("/") + 1) + "widgets/";
  var paths = {};
  ["@jupyter-widgets/base", "@jupyter-widgets/base7", "@jupyter-widgets/controls",
   "@jupyter-widgets/controls7", "@jupyter-widgets/html-manager",
   "@jupyter-widgets/html-manager/dist/libembed-amd"].forEach(function (m) {
    paths[m] = dir + m.split("/").pop();
  });
  window.require.config({ paths: paths });

  // 2. The widget manager typesets labels with the MathJax 2 API (MathJax.Hub.Queue); the book
  //    ships MathJax 3, which has no Hub, so on a page with both every widget threw
  //    "Cannot read properties of undefined (reading 'Queue')".  Bridge the one call it makes.
  //    This listener is registered before embed-amd.js registers its own, so it runs first;
  //    MathJax is loaded with `defer`, so it exists by then.
  document.addEventListener("DOMContentLoaded", function () {
    var mathjax = window.MathJax;
    if (!mathjax || mathjax.Hub) {
      return;
    }
    mathjax.Hub = {
      Queue: function (command) {
        var element = Array.isArray(command) ? command[2] : undefined;
        var ready = (mathjax.startup && mathjax.startup.promise) || Promise.resolve();
        ready.then(function () {
          if (mathjax.typesetPromise) {
            return mathjax.typesetPromise(element ? [element] : undefined);
          }
        }).catch(function () {});
      }
    };
  });
})();
