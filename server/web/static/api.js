/* The API documentation page: Swagger UI (vendored, no network services) over this server's OpenAPI document. */
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || !window.SwaggerUIBundle) {
    return;
  }
  window.ugkgSwagger = window.SwaggerUIBundle({
    url: root.getAttribute("data-spec-url"),
    domNode: root,
    deepLinking: true,
    validatorUrl: null, // the default would send the spec to validator.swagger.io
    tryItOutEnabled: false,
    displayOperationId: false,
    defaultModelsExpandDepth: 0,
    docExpansion: "list",
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  });
})();
