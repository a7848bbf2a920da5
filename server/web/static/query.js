/* The SPARQL query page: YASGUI (vendored, no network services) pointed at this app's /sparql endpoint,
 * with the competency queries as ready examples. Configuration comes from the JSON block the server renders.
 *
 * The page opens on a plain form (a textarea and a Run button that work without JavaScript). YASGUI (1 MB of
 * script, about half a second of main-thread work on a phone) is loaded on the reader's first interaction — a key,
 * a tap, a click, focus — or at once when the address carries a query to open (#query=, #api=): a phone on a
 * slow network gets the page at once, and nobody waits for an editor they have not asked for yet. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("ugkg-query-config").textContent);
  // "#api=/api/v1/NAME.rq?…" (the rel="alternate" link of a REST API answer): open that query, parameters bound.
  // Read before YASGUI starts, since YASGUI clears the fragment. Only this server's API query texts are fetched.
  var apiQuery = null;
  var fragment = new URLSearchParams(window.location.hash.replace(/^#/, ""));
  if (/^\/api\/v1\/[a-z0-9-]+\.rq(\?|$)/.test(fragment.get("api") || "")) {
    apiQuery = fragment.get("api");
  }
  var plain = document.getElementById("plain-query");
  var plainText = document.getElementById("query-text");
  var started = false, ready = false;

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = function () { reject(new Error("could not load " + src)); };
      document.head.appendChild(script);
    });
  }
  function loadCss(href) {
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    document.head.appendChild(link);
  }

  function start() {
    if (started) { return; }
    started = true;
    var assets = config.assets || {};
    var status = document.getElementById("editor-status");
    if (status) { status.hidden = false; }
    loadCss(assets.yasguiCss);
    loadScript(assets.yasguiJs).then(function () {
      setup();
      if (status) { status.hidden = true; }
      // the map of WKT results (static/wktmap.js hooks into the editor it finds): Leaflet only now
      loadCss(assets.leafletCss);
      return loadScript(assets.leafletJs).then(function () { return loadScript(assets.wktmapJs); });
    }).then(function () {
      window.ugkgEditorReady = true; // editor and map both there (the browser tests wait for this)
    }).catch(function (error) {
      started = false;
      if (status) { status.textContent = String(error); }
    });
  }
  window.ugkgStartEditor = start;

  // Before the editor is there, an example goes into the plain form.
  Array.prototype.forEach.call(document.querySelectorAll("button[data-example]"), function (button) {
    button.addEventListener("click", function () {
      if (ready) { return; }
      var chosen = (config.examples || []).filter(function (e) { return e.id === button.getAttribute("data-example"); })[0];
      if (chosen && plainText) { plainText.value = chosen.query; }
      Array.prototype.forEach.call(document.querySelectorAll("button[data-example]"), function (other) {
        other.setAttribute("aria-pressed", other === button ? "true" : "false");
      });
      start();
    });
  });
  if (apiQuery || /(^#|&)query=/.test(window.location.hash) || /[?&]query=/.test(window.location.search) || !plain) {
    start();
  } else {
    ["pointerdown", "keydown", "touchstart", "focusin"].forEach(function (type) {
      document.addEventListener(type, start, { once: true, passive: true });
    });
  }

  function setup() {
  var endpoint = new URL(config.endpoint, window.location.href).href;
  var Yasgui = window.Yasgui;
  var root = document.getElementById("yasgui");
  if (!Yasgui || !root) {
    return;
  }
  var typed = plainText ? plainText.value : config.starterQuery;
  if (plain) { plain.hidden = true; }
  root.hidden = false;
  ready = true;

  // Only completers that work offline: prefixes (bundled list; prefixCcApi stays null) and variables.
  // The "property" and "class" completers query lov.linkeddata.es, so they are switched off. The defaults
  // are edited in place because YASGUI deep-merges arrays index by index.
  var offlineCompleters = ["prefixes", "variables"];
  [Yasgui.Yasqe.defaults, Yasgui.defaults.yasqe].forEach(function (defaults) {
    defaults.autocompleters.splice(0, defaults.autocompleters.length);
    Array.prototype.push.apply(defaults.autocompleters, offlineCompleters);
    defaults.prefixCcApi = null;
    defaults.editorHeight = "460px"; // the starter query (12 prefixes) fits without scrolling; tabs ignore yasqe.editorHeight
  });

  // Errors from the endpoint are JSON problem documents ({"error", "title", "message", ...}): show the message.
  Yasgui.Yasr.defaults.errorRenderers = [renderProblem];

  var yasgui = new Yasgui(root, {
    persistenceId: null, // no localStorage: every visit starts clean, on this endpoint
    autofocus: true,
    tabName: (config.messages && config.messages.tab) || "Query",
    copyEndpointOnNewTab: true,
    requestConfig: {
      endpoint: endpoint,
      method: "POST", // application/x-www-form-urlencoded, as in SPARQL 1.1 Protocol §2.1.2
      acceptHeaderSelect: "application/sparql-results+json,*/*;q=0.9",
      acceptHeaderGraph: "text/turtle,*/*;q=0.9"
    },
    endpointCatalogueOptions: {
      getData: function () {
        return [{ endpoint: endpoint }];
      },
      keys: []
    },
    yasqe: { value: typed },
    yasr: { prefixes: config.prefixes }
  });
  window.ugkgYasgui = yasgui; // for the browser tests and curious users

  // Accessibility of YASGUI's own markup: every field named, and the tab list holding only tabs (one query tab here:
  // the examples load into it, so the "+" button, a non-tab child of role=tablist, is hidden).
  var labels = config.messages || {};
  function nameFields() {
    Array.prototype.forEach.call(root.querySelectorAll("input:not([aria-label]), textarea:not([aria-label])"), function (field) {
      field.setAttribute("aria-label", field.classList.contains("autocomplete") ? (labels.endpoint || "Endpoint") : (labels.editor || "SPARQL query"));
    });
    Array.prototype.forEach.call(root.querySelectorAll(".tabsList .addTab"), function (button) {
      button.parentNode.hidden = true;
    });
  }
  nameFields();
  new MutationObserver(nameFields).observe(root, { childList: true, subtree: true });
  if (apiQuery) {
    fetch(new URL(apiQuery, window.location.href).href, { headers: { Accept: "application/sparql-query" } })
      .then(function (response) {
        return response.ok ? response.text() : Promise.reject(new Error("HTTP " + response.status));
      })
      .then(function (text) {
        yasgui.getTab().setQuery(text);
        window.ugkgApiQueryLoaded = true;
      })
      .catch(function (error) {
        window.ugkgApiQueryLoaded = String(error);
      });
    history.replaceState(null, "", window.location.pathname + window.location.search);
  }

  var examples = {};
  (config.examples || []).forEach(function (example) {
    examples[example.id] = example;
  });
  var buttons = document.querySelectorAll("button[data-example]");
  Array.prototype.forEach.call(buttons, function (button) {
    button.addEventListener("click", function () {
      var example = examples[button.getAttribute("data-example")];
      if (!example) {
        return;
      }
      var tab = yasgui.getTab();
      tab.setQuery(example.query);
      Array.prototype.forEach.call(buttons, function (other) {
        other.setAttribute("aria-pressed", other === button ? "true" : "false");
      });
      var yasqe = tab.getYasqe();
      if (yasqe) {
        yasqe.focus();
        yasqe.getWrapperElement().scrollIntoView({ block: "nearest" });
      }
    });
  });

  // Links in results to the dataset's own IRIs lead to this server (the setting link_base), not the canonical base.
  var canonical = config.canonicalBase || "";
  var serving = config.linkBase || "";
  function rewriteLinks(scope) {
    if (!canonical || !serving || canonical === serving) {
      return;
    }
    Array.prototype.forEach.call(scope.querySelectorAll('a[href^="' + canonical + '"]'), function (a) {
      a.setAttribute("href", serving + a.getAttribute("href").slice(canonical.length));
    });
  }
  new MutationObserver(function () { rewriteLinks(root); }).observe(root, { childList: true, subtree: true });

  // A malformed query: the message (and the API's hint, when present) under the editor, the position marked.
  var messages = config.messages || {};
  var errorBox = document.getElementById("query-error");
  var marks = [];
  function clearError() {
    marks.forEach(function (mark) { mark.clear(); });
    marks = [];
    if (errorBox) { errorBox.hidden = true; errorBox.textContent = ""; }
    window.ugkgQueryError = null;
  }
  yasgui.on("query", clearError);
  // What an error means, in the page language (site.problems), or null when the catalogue has no explanation.
  function explanationOf(problem) {
    var meaning = ((messages.problems || {}).explain || {})[problem.error];
    if (!meaning) { return null; }
    var p = document.createElement("p");
    p.className = "qp-error-explanation";
    p.textContent = meaning;
    return p;
  }
  // The engine's own message, verbatim and in English.
  function engineMessageOf(problem) {
    var message = document.createElement("span");
    message.className = "qp-error-message";
    message.lang = "en";
    message.textContent = problem.message;
    return message;
  }
  function showError(problem) {
    window.ugkgQueryError = problem;
    if (!errorBox) { return; }
    errorBox.textContent = "";
    var heading = document.createElement("strong");
    heading.textContent = messages.error || "Error";
    errorBox.appendChild(heading);
    // What the error means, in the page language (site.problems); the engine's own English message stays verbatim,
    // labelled as the technical detail.
    var problems = messages.problems || {};
    var explained = explanationOf(problem);
    if (explained) {
      errorBox.appendChild(explained);
      var label = document.createElement("span");
      label.className = "qp-error-label";
      label.textContent = (["malformed-query", "unsupported-function", "query-not-evaluable", "upstream-error"].indexOf(problem.error) >= 0
        ? problems.technical : problems.detail) + " ";
      errorBox.appendChild(label);
    }
    errorBox.appendChild(engineMessageOf(problem));
    var where = /^(\d+):(\d+)$/.exec(String(problem.position || ""));
    var yasqe = yasgui.getTab().getYasqe();
    if (yasqe && yasqe.getWrapperElement) { // directly under the editor, above the results
      var editor = yasqe.getWrapperElement();
      editor.parentNode.insertBefore(errorBox, editor.nextSibling);
    }
    if (where) {
      var line = Number(where[1]), column = Number(where[2]);
      var at = document.createElement("span");
      at.className = "qp-error-position";
      at.textContent = " (" + (messages.position || "line {line}, column {column}").replace("{line}", line).replace("{column}", column) + ")";
      errorBox.appendChild(at);
      if (yasqe && yasqe.markText) {
        var from = { line: line - 1, ch: Math.max(column - 1, 0) };
        var lineText = yasqe.getLine(from.line) || "";
        if (from.ch >= lineText.length) { from.ch = Math.max(lineText.length - 1, 0); } // at the end: mark the last character
        var rest = lineText.slice(from.ch), length = rest.search(/\s/);
        var to = { line: from.line, ch: from.ch + (length > 0 ? length : Math.max(rest.length, 1)) };
        marks.push(yasqe.markText(from, to, { className: "qp-error-mark", attributes: { "data-error-mark": "true" } }));
        var lineHandle = yasqe.addLineClass(from.line, "background", "qp-error-line");
        marks.push({ clear: function () { yasqe.removeLineClass(lineHandle, "background", "qp-error-line"); } });
      }
    }
    if (problem.hint) {
      var hint = document.createElement("p");
      hint.className = "qp-error-hint";
      var advice = (problems.hints || {})[problem.hint_code];
      hint.textContent = (messages.hint || "Hint:") + " " + (advice ? advice + " (" + problem.hint + ")" : problem.hint);
      errorBox.appendChild(hint);
    }
    errorBox.hidden = false;
  }

  function renderProblem(error) {
    var text = error && typeof error.text === "string" ? error.text : "";
    var problem;
    try {
      problem = JSON.parse(text);
    } catch (e) {
      return undefined; // not ours: let YASGUI render it
    }
    if (!problem || typeof problem !== "object" || !problem.message) {
      return undefined;
    }
    showError(problem);
    var box = document.createElement("div");
    box.className = "qp-error";
    box.setAttribute("data-error", String(problem.error || ""));
    var heading = document.createElement("strong");
    var titles = (config.messages && config.messages.problems && config.messages.problems.titles) || {};
    heading.textContent = (problem.status ? problem.status + " " : "") + (titles[problem.error] || problem.title || problem.error || "Error");
    heading.title = problem.title || "";
    box.appendChild(heading);
    var explained = explanationOf(problem);
    if (explained) { box.appendChild(explained); }
    box.appendChild(engineMessageOf(problem));
    var details = Object.keys(problem).filter(function (key) {
      return ["status", "error", "title", "message", "hint"].indexOf(key) < 0;
    }).map(function (key) {
      var value = problem[key];
      return key + ": " + (typeof value === "string" ? value : JSON.stringify(value));
    });
    if (details.length) {
      var pre = document.createElement("pre");
      pre.className = "qp-error-details";
      pre.textContent = details.join("\n");
      box.appendChild(pre);
    }
    return Promise.resolve(box);
  }
  }
})();
