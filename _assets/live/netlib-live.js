/* Live calculators and the live decision algorithm: netlib itself, in the reader's browser.
 *
 * A notebook cell `CalculatorForm("<id>", ...)` or `PatientForm(...)` (netlib/widgets.py) puts a
 * placeholder on the page:
 *     <div class="netlib-live" data-calculator="who_gep_grade" data-initial="{...}">
 *     <div class="netlib-live" data-pathway="recommend" data-initial="{...}">
 * This script turns each one into a form built from the declaration's JSON Schema (labels,
 * units, accepted ranges, choices, help), sends what the reader types, as typed, to
 * netlib.browser.calculate or netlib.browser.recommend running under Pyodide, and shows the
 * answer.  It computes nothing itself: results, interpretations, warnings and input errors are
 * netlib's.
 *
 * Python runs in a module Web Worker (netlib-worker.mjs).  Pyodide (about 13 MB) is requested only
 * when a form comes near the screen, and then when the browser is idle, so the page is readable
 * and usable before Python is ready.  Pages opened from file:// cannot load WebAssembly modules;
 * they say so and give the command that serves the site.
 *
 * Performance marks for benchmarks/live.py: netlib-live:start (Pyodide requested),
 * netlib-live:ready (netlib imported), netlib-live:first-result.
 */
(function () {
  "use strict";

  var BASE = new URL(".", document.currentScript.src);
  var SERVE_COMMAND = ".venv/bin/python -m http.server -d _build/html 8000";
  var python = null; // a promise of the Python bridge, once requested
  var formCount = 0;
  var firstResult = false;

  // --- Small DOM helpers -------------------------------------------------------------------

  function el(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      var value = attributes[name];
      if (value !== null && value !== undefined && value !== false) {
        node.setAttribute(name, value === true ? "" : String(value));
      }
    });
    (children || []).forEach(function (child) {
      if (child !== null && child !== undefined && child !== "") {
        node.append(child);
      }
    });
    return node;
  }

  function setStatus(holder, state, content) {
    holder.dataset.state = state;
    var status = holder.querySelector(".netlib-live-status");
    if (!status) {
      status = el("div", { class: "netlib-live-status" });
      holder.append(status);
    }
    status.replaceChildren.apply(status, [].concat(content));
  }

  function megabytes(bytes) {
    return (bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0) + " MB";
  }

  // --- Citations: link a key to the book's bibliography --------------------------------------

  // The bibliography anchors are `#cite-<key>` (bibtex_cite_id in _config.yml).  Any citation
  // link on the page tells where the bibliography page is.
  var bibliography = (function () {
    var link = document.querySelector('a[href*="#cite-"]');
    return link ? link.getAttribute("href").split("#")[0] : null;
  })();

  function citations(keys) {
    if (!keys || !keys.length) {
      return null;
    }
    var parts = ["Sources: "];
    keys.forEach(function (key, index) {
      if (index) {
        parts.push(", ");
      }
      var anchor = "cite-" + key.toLowerCase().replace(/[^a-z0-9]+/g, "-");
      var known = bibliography && document.querySelector('a[href$="#' + anchor + '"]');
      parts.push(bibliography
        ? el("a", { href: bibliography + "#" + anchor, title: known ? known.getAttribute("title") : null }, [key])
        : key);
    });
    return el("p", { class: "netlib-live-sources" }, [el("small", {}, parts)]);
  }

  // --- The Python bridge (a Web Worker) -------------------------------------------------------

  function startPython(onManifest) {
    if (python) {
      return python;
    }
    performance.mark("netlib-live:start");
    var worker = new Worker(new URL("netlib-worker.mjs", BASE), { type: "module" });
    var pending = new Map();
    var nextId = 1;
    var ready = new Promise(function (resolve, reject) {
      worker.onmessage = function (event) {
        var message = event.data;
        if (message.type === "manifest") {
          onManifest(message.manifest);
        } else if (message.type === "ready") {
          resolve(message);
        } else if (message.type === "failed") {
          console.error("netlib-live: Python did not start: " + message.detail);
          reject(new Error(message.error));
        } else if (message.type === "answer") {
          var call = pending.get(message.id);
          pending.delete(message.id);
          if (message.error) {
            console.error("netlib-live: " + (message.detail || message.error));
            call.reject(new Error(message.error));
          } else {
            call.resolve(JSON.parse(message.answer));
          }
        }
      };
      worker.onerror = function (event) {
        event.preventDefault();
        reject(new Error(event.message || "the Python worker could not start"));
      };
    });
    worker.postMessage({
      type: "start",
      pyodide: new URL("pyodide/", BASE).href,
      manifest: new URL("netlib-live.json", BASE).href,
    });
    python = ready.then(function (info) {
      performance.mark("netlib-live:ready");
      window.netlibLive = { python: info.pythonVersion, pyodide: info.pyodideVersion, phases: info.phases };
      return {
        info: info,
        schemas: JSON.parse(info.schemas),
        call: function (operation, args) {
          return new Promise(function (resolve, reject) {
            var id = nextId++;
            pending.set(id, { resolve: resolve, reject: reject });
            worker.postMessage({ type: "call", id: id, op: operation, args: args });
          });
        },
      };
    });
    return python;
  }

  // --- A form built from a JSON Schema ----------------------------------------------------------

  function fieldControl(name, property, required, value, id) {
    var control;
    if (property.type === "number" || property.type === "integer") {
      // Text, not type=number: what the reader typed goes to netlib as typed, and netlib says
      // what is wrong with it ("must be a number between 0 and 100 %; got '120'").
      control = el("input", {
        type: "text", id: id, name: name, autocomplete: "off", spellcheck: "false",
        inputmode: property.type === "integer" ? "numeric" : "decimal",
        placeholder: required ? null : "not given",
      });
      control.value = value === null || value === undefined ? "" : String(value);
      return control;
    }
    control = el("select", { id: id, name: name });
    var labels = property["x-enum-labels"] || [];
    var choices = property.type === "boolean"
      ? [["yes", "Yes"], ["no", "No"]]
      : property.enum.map(function (choice, index) { return [choice, labels[index] || choice]; });
    // An empty choice is always offered: "not given" for an optional field, and for a required
    // one a prompt that netlib refuses ("is required"), never a silent default.
    control.append(el("option", { value: "" }, [required ? "Choose\u2026" : "(not given)"]));
    choices.forEach(function (choice) {
      control.append(el("option", { value: choice[0] }, [choice[1]]));
    });
    if (value === true || value === false) {
      control.value = value ? "yes" : "no";
    } else {
      control.value = value === null || value === undefined ? "" : String(value);
    }
    return control;
  }

  function LiveForm(holder, schema, initial, operation, render, python) {
    var self = this;
    var uid = "netlib-live-" + ++formCount;
    var required = new Set(schema.required || []);
    self.holder = holder;
    self.operation = operation;
    self.render = render;
    self.python = python;
    self.sequence = 0;
    self.fields = {};

    var form = el("form", { class: "netlib-live-form", novalidate: true, autocomplete: "off" });
    (schema["x-order"] || Object.keys(schema.properties)).forEach(function (name) {
      var property = schema.properties[name];
      var id = uid + "-" + name;
      var isRequired = required.has(name);
      var control = fieldControl(name, property, isRequired, initial[name], id);
      var unit = property["x-unit"];
      var label = el("label", { for: id }, [
        property.title || name,
        unit ? el("span", { class: "netlib-live-unit" }, [" (" + unit + ")"]) : null,
        isRequired ? null : el("span", { class: "netlib-live-optional" }, [" optional"]),
      ]);
      var numeric = property.type === "number" || property.type === "integer";
      var accepted = numeric
        ? el("span", { class: "netlib-live-accepted" }, ["Accepts " + property["x-accepted"] + ". "]) : null;
      var error = el("div", { class: "netlib-live-error", id: id + "-error", "aria-live": "polite" });
      var help = accepted || property.description
        ? el("div", { class: "netlib-live-help", id: id + "-help" }, [accepted, property.description || null])
        : null;
      control.setAttribute("aria-describedby", (help ? id + "-help " : "") + id + "-error");
      var row = el("div", { class: "netlib-live-field", "data-field": name }, [
        label, el("div", { class: "netlib-live-control" }, [control]), error, help,
      ]);
      form.append(row);
      self.fields[name] = { row: row, control: control, error: error, label: property.title || name };
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.addEventListener("input", function () { self.compute(); });

    self.result = el("div", { class: "netlib-live-result", "aria-live": "polite" });
    holder.querySelectorAll(".netlib-live-status").forEach(function (node) { node.remove(); });
    var about = python.info;
    var footer = el("p", { class: "netlib-live-footer" }, [el("small", {}, [
      "Computed in this browser by netlib " + python.schemas.version + " (Python " + about.pythonVersion
        + ", Pyodide " + about.pyodideVersion + "). " + python.schemas.notice,
    ])]);
    holder.append(form, self.result, footer);
    holder.dataset.state = "ready";
    self.compute();
  }

  LiveForm.prototype.values = function () {
    var values = {};
    Object.keys(this.fields).forEach(function (name) {
      values[name] = this.fields[name].control.value; // as typed; "" means not given
    }, this);
    return values;
  };

  LiveForm.prototype.compute = function () {
    var self = this;
    var sequence = ++self.sequence;
    var started = performance.now();
    self.holder.dataset.busy = "true";
    self.python.call(self.operation.name, self.operation.args(self.values())).then(function (answer) {
      if (sequence !== self.sequence) {
        return; // the reader changed something meanwhile; a newer answer is on its way
      }
      self.show(answer);
      self.finish(sequence, started);
    }, function (error) {
      if (sequence !== self.sequence) {
        return;
      }
      self.clearErrors();
      self.result.className = "netlib-live-result netlib-result netlib-error";
      self.result.replaceChildren("\u26a0 The calculation failed unexpectedly (" + error.message + ").");
      self.finish(sequence, started);
    });
  };

  LiveForm.prototype.finish = function (sequence, started) {
    this.holder.dataset.busy = "false";
    this.holder.dataset.computed = String(sequence);
    this.holder.dataset.milliseconds = (performance.now() - started).toFixed(1);
    if (!firstResult) {
      firstResult = true;
      performance.mark("netlib-live:first-result");
    }
  };

  LiveForm.prototype.clearErrors = function () {
    Object.keys(this.fields).forEach(function (name) {
      var field = this.fields[name];
      field.row.classList.remove("netlib-live-invalid");
      field.control.removeAttribute("aria-invalid");
      field.error.textContent = "";
    }, this);
  };

  LiveForm.prototype.show = function (answer) {
    this.clearErrors();
    if (!answer.ok) {
      var error = answer.error;
      var field = this.fields[error.field];
      this.result.className = "netlib-live-result netlib-result netlib-error";
      if (field) {
        field.row.classList.add("netlib-live-invalid");
        field.control.setAttribute("aria-invalid", "true");
        field.error.textContent = "\u26a0 " + error.message;
        this.result.replaceChildren("\u26a0 Check the highlighted field: " + field.label + ".");
      } else {
        this.result.replaceChildren("\u26a0 " + error.message);
      }
      return;
    }
    this.result.className = "netlib-live-result netlib-result";
    this.result.replaceChildren.apply(this.result, this.render(answer));
  };

  // --- What a calculator's answer looks like -----------------------------------------------------

  function plain(value) {
    if (typeof value === "boolean") {
      return value ? "yes" : "no";
    }
    if (typeof value === "number") {
      return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
    }
    if (Array.isArray(value)) {
      return value.length ? value.map(plain).join(", ") : "none";
    }
    return String(value);
  }

  function renderCalculation(answer) {
    var result = answer.result;
    var parts = [
      el("div", { class: "netlib-headline" }, [answer.headline]),
      el("p", { class: "netlib-live-interpretation" }, [result.interpretation]),
    ];
    if (result.warnings.length) {
      parts.push(el("ul", { class: "netlib-live-warnings" }, result.warnings.map(function (warning) {
        return el("li", { class: "netlib-warning" }, ["\u26a0 " + warning]);
      })));
    }
    var details = Object.keys(result.details).filter(function (key) {
      var value = result.details[key];
      return value !== null && (typeof value !== "object" || Array.isArray(value));
    });
    if (details.length) {
      parts.push(el("details", { class: "netlib-live-details" }, [
        el("summary", {}, ["Further figures"]),
        el("table", {}, [el("tbody", {}, details.map(function (key) {
          return el("tr", {}, [el("td", {}, [key.replace(/_/g, " ")]), el("td", {}, [plain(result.details[key])])]);
        }))]),
      ]));
    }
    parts.push(citations(result.citations));
    return parts.filter(Boolean);
  }

  // --- What the decision algorithm's answer looks like -------------------------------------------

  function section(title, list) {
    return [el("p", { class: "netlib-live-section" }, [el("strong", {}, [title])]), list];
  }

  function renderRecommendations(answer) {
    var result = answer.result;
    var parts = [el("div", { class: "netlib-headline" }, ["Pathway: " + result.pathway])];
    if (result.redirect) {
      parts.push(el("p", { class: "netlib-live-redirect" }, [result.redirect]));
    }
    if (result.recommendations.length) {
      parts = parts.concat(section("Options, best first", el("ol", { class: "netlib-live-options" },
        result.recommendations.map(function (option) {
          return el("li", { "data-option": option.option, "data-tier": option.tier }, [
            el("strong", { class: "netlib-live-option-name" }, [option.name]), ": ",
            el("em", { class: "netlib-live-tier" }, [option.tier]),
            " (evidence " + option.evidence + "; rule " + option.rule_ids.join(", ") + "). " + option.rationale,
            option.dose ? el("div", { class: "netlib-live-dose" }, [el("small", {}, ["Dose: " + option.dose])]) : null,
            option.car_t_note ? el("div", { class: "netlib-live-car-t-note" }, [el("small", {}, [option.car_t_note])])
              : null,
            citations(option.citations),
          ]);
        }))));
    }
    if (result.excluded.length) {
      parts = parts.concat(section("Not recommended", el("ul", { class: "netlib-live-excluded" },
        result.excluded.map(function (item) {
          return el("li", { "data-option": item.option }, [
            el("strong", {}, [item.name]), " (rule " + item.rule_id + "): " + item.reason, citations(item.citations),
          ]);
        }))));
    }
    if (result.missing.length) {
      parts = parts.concat(section("Missing information", el("ul", { class: "netlib-live-missing" },
        result.missing.map(function (item) {
          return el("li", { class: "netlib-warning" }, [item.item + ": " + item.how]);
        }))));
    }
    if (result.advice && result.advice.length) {
      parts = parts.concat(section("Work-up", el("ul", { class: "netlib-live-advice" },
        result.advice.map(function (item) { return el("li", {}, [item.statement, citations(item.citations)]); }))));
    }
    if (result.car_t) {
      parts.push(el("div", { class: "netlib-live-car-t" }, [
        el("p", {}, [el("strong", {}, ["CAR-T cell therapy: "]), result.car_t.position]),
        el("details", {}, [
          el("summary", {}, ["Why"]),
          el("ul", {}, (result.car_t.reasons || []).map(function (reason) {
            return el("li", {}, [reason.statement, citations(reason.citations)]);
          })),
        ]),
      ]));
    }
    if (result.always && result.always.length) {
      parts = parts.concat(section("Always", el("ul", { class: "netlib-live-always" },
        result.always.map(function (item) { return el("li", {}, [item.statement, citations(item.citations)]); }))));
    }
    if (result.trace && result.trace.length) {
      var fired = result.trace.filter(function (step) { return step.fired; }).length;
      parts.push(el("details", { class: "netlib-live-trace" }, [
        el("summary", {}, ["Trace: how each of the " + result.trace.length + " rules was decided (" + fired
          + " applied)"]),
        el("table", {}, [
          el("thead", {}, [el("tr", {}, ["Rule", "Applied", "Decided by", "Outcome"].map(function (heading) {
            return el("th", {}, [heading]);
          }))]),
          el("tbody", {}, result.trace.map(function (step) {
            return el("tr", { class: step.fired ? "netlib-live-fired" : null }, [
              el("td", {}, [step.rule_id]), el("td", {}, [step.fired ? "yes" : "no"]),
              el("td", {}, [step.decided_by]), el("td", {}, [step.outcome]),
            ]);
          })),
        ]),
      ]));
    }
    if (result.ruleset_version) {
      parts.push(el("p", {}, [el("small", {}, ["Rule set " + result.ruleset_version + "."])]));
    }
    return parts;
  }

  // --- Placeholders to live forms -----------------------------------------------------------------

  function mount(holder, bridge) {
    var initial = {};
    try {
      initial = JSON.parse(holder.dataset.initial || "{}");
    } catch (error) {
      console.error("netlib-live: unreadable data-initial on a form");
    }
    var schema, operation, render;
    if (holder.dataset.calculator) {
      var id = holder.dataset.calculator;
      schema = bridge.schemas.calculators[id];
      operation = { name: "calculate", args: function (values) { return [id, JSON.stringify(values)]; } };
      render = renderCalculation;
    } else {
      schema = bridge.schemas.patient;
      operation = { name: "recommend", args: function (values) { return [JSON.stringify(values)]; } };
      render = renderRecommendations;
    }
    if (!schema) {
      setStatus(holder, "failed", "This page names a calculator netlib does not have (" + holder.dataset.calculator
        + ").");
      console.error("netlib-live: unknown calculator " + holder.dataset.calculator);
      return;
    }
    holder.liveForm = new LiveForm(holder, schema, initial, operation, render, bridge);
  }

  function serveMessage(holder) {
    var path = location.pathname;
    var at = path.indexOf("/_build/html/");
    var address = "http://127.0.0.1:8000/" + (at >= 0 ? path.slice(at + "/_build/html/".length) : "");
    setStatus(holder, "file", [
      el("strong", {}, ["This live form needs the site to be served over HTTP."]),
      " Browsers do not run the in-browser Python (WebAssembly modules) on pages opened from a file. From the "
        + "book's folder, run ",
      el("code", { class: "netlib-live-command" }, [SERVE_COMMAND]),
      " and open ", el("a", { href: address }, [address]), ".",
    ]);
  }

  function start(holders) {
    var go = function () {
      holders.forEach(function (holder) {
        setStatus(holder, "loading", "Starting Python in your browser\u2026");
      });
      startPython(function (manifest) {
        holders.forEach(function (holder) {
          setStatus(holder, "loading", "Loading Python in your browser (" + megabytes(manifest.download_bytes)
            + " the first time, then from the browser's cache)\u2026");
        });
      }).then(function (bridge) {
        holders.forEach(function (holder) { mount(holder, bridge); });
      }, function (error) {
        console.error("netlib-live: " + error.message);
        holders.forEach(function (holder) {
          setStatus(holder, "failed", "The live form could not start: " + error.message
            + ". The rest of the page does not need it.");
        });
      });
    };
    if (window.requestIdleCallback) {
      window.requestIdleCallback(go, { timeout: 500 });
    } else {
      window.setTimeout(go, 0);
    }
  }

  function init() {
    var holders = Array.prototype.slice.call(document.querySelectorAll(".netlib-live"));
    if (!holders.length) {
      return;
    }
    if (location.protocol === "file:") {
      holders.forEach(serveMessage);
      return;
    }
    holders.forEach(function (holder) {
      setStatus(holder, "waiting", "The live form starts when you scroll to it.");
    });
    var begun = false;
    var begin = function () {
      if (begun) {
        return;
      }
      begun = true;
      if (observer) {
        observer.disconnect();
      }
      start(holders);
    };
    var observer = null;
    if (window.IntersectionObserver) {
      // "On demand": when a form is within a screen's height of the visible part of the page.
      observer = new IntersectionObserver(function (entries) {
        if (entries.some(function (entry) { return entry.isIntersecting; })) {
          begin();
        }
      }, { rootMargin: "100% 0px 100% 0px" });
      holders.forEach(function (holder) { observer.observe(holder); });
    } else {
      begin();
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
