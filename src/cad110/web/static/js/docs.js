// Swagger UI on the application's own OpenAPI document; nothing is fetched from outside.
(function () {
  "use strict";
  window.ui = SwaggerUIBundle({
    url: document.body.dataset.openapi,
    dom_id: "#swagger-ui",
    deepLinking: true,
    // The public validator badge would call validator.swagger.io, unreachable on a closed network.
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
})();
