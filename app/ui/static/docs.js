// Starts Swagger UI or ReDoc on /openapi.json (the page may run no inline script: its CSP is 'self').
"use strict";
(function () {
  var el = document.getElementById("api-docs");
  if (!el) return;
  var url = el.getAttribute("data-openapi");
  if (el.getAttribute("data-kind") === "swagger") {
    window.ui = window.SwaggerUIBundle({
      url: url,
      dom_id: "#api-docs",
      layout: "BaseLayout",
      validatorUrl: null, // no badge from validator.swagger.io: the page asks nothing of another host
      deepLinking: true,
      showExtensions: true,
      showCommonExtensions: true,
      presets: [window.SwaggerUIBundle.presets.apis, window.SwaggerUIBundle.SwaggerUIStandalonePreset],
    });
  } else {
    window.Redoc.init(url, { hideDownloadButton: false }, el);
  }
})();
