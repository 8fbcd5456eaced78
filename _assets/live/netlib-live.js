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
    // The book's bibliography page lists every work (book/references.html beside the root).
    var root = document.documentElement.dataset.content_root;
    if (root !== undefined) {
      return root + "book/references.html";
    }
    var link = document.querySelector('a[href*="references.html#cite-"]');
    return link ? link.getAttribute("href").split("#")[0] : null;
  })();

  // A key such as "nagtegaal2020who" is shown as "Nagtegaal 2020"; where the page itself cites the
  // work, the page's own citation text ("Nagtegaal et al. [2020]") is used.
  function citationLabel(key, anchor) {
    var onPage = document.querySelector('.bd-article a[href$="#' + anchor + '"]');
    var text = onPage ? onPage.textContent.replace(/\s+/g, " ").trim() : "";
    if (text && !/^\[?\d+\]?$/.test(text)) {
      return text;
    }
    var match = /^([a-z]+?)(\d{4})/.exec(key);
    if (match) {
      return match[1].charAt(0).toUpperCase() + match[1].slice(1) + " " + match[2];
    }
    return /^nct\d+$/i.test(key) ? key.toUpperCase() : key.replace(/_/g, " ").replace(/^./, function (c) {
      return c.toUpperCase();
    });
  }

  function citations(keys) {
    if (!keys || !keys.length) {
      return null;
    }
    var parts = ["Sources: "];
    keys.forEach(function (key, index) {
      if (index) {
        parts.push("; ");
      }
      var anchor = "cite-" + key.toLowerCase().replace(/[^a-z0-9]+/g, "-");
      var label = citationLabel(key, anchor);
      parts.push(bibliography
        ? el("a", { href: bibliography + "#" + anchor, "data-key": key }, [label])
        : el("span", { "data-key": key }, [label]));
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

  function isNumeric(property) {
    return property.type === "number" || property.type === "integer";
  }

  function fieldControl(name, property, required, value, id) {
    var control;
    if (isNumeric(property)) {
      // Text, not type=number: what the reader typed goes to netlib as typed, and netlib says
      // what is wrong with it ("Ki-67 index must be a number between 0 and 100 %; you entered 120").
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

  // Two numeric fields with one label and different units (creatinine in mg/dL or µmol/L,
  // haemoglobin in g/dL or g/L) are one quantity: the page shows one box with a unit list.
  function unitPartner(schema, name, order) {
    var property = schema.properties[name];
    if (!isNumeric(property) || !property["x-unit"]) {
      return null;
    }
    var partner = order.filter(function (other) {
      var candidate = schema.properties[other];
      return other !== name && candidate && isNumeric(candidate) && candidate.title === property.title
        && candidate["x-unit"] && candidate["x-unit"] !== property["x-unit"];
    });
    return partner.length === 1 ? partner[0] : null;
  }

  function LiveForm(holder, schema, initial, operation, render, python) {
    var self = this;
    var uid = "netlib-live-" + ++formCount;
    var required = new Set(schema.required || []);
    var order = schema["x-order"] || Object.keys(schema.properties);
    self.holder = holder;
    self.schema = schema;
    self.operation = operation;
    self.render = render;
    self.python = python;
    self.sequence = 0;
    self.fields = {};   // field id -> {row, control, error, label, unitControl?}
    self.answer = null;
    var done = new Set();

    function fieldRow(name) {
      var property = schema.properties[name];
      var id = uid + "-" + name;
      var isRequired = required.has(name);
      var partner = unitPartner(schema, name, order);
      var value = initial[name];
      var unitControl = null;
      var names = [name];
      if (partner && !done.has(partner)) {
        names.push(partner);
        var chosen = (initial[partner] !== undefined && initial[partner] !== null && initial[partner] !== ""
          && (value === undefined || value === null || value === "")) ? partner : name;
        value = initial[chosen];
        unitControl = el("select", { id: id + "-unit", class: "netlib-live-unit-choice",
          "aria-label": (property.title || name) + ": unit" },
          names.map(function (option) {
            return el("option", { value: option }, [schema.properties[option]["x-unit"]]);
          }));
        unitControl.value = chosen;
      }
      names.forEach(function (item) { done.add(item); });
      var control = fieldControl(name, property, isRequired, value, id);
      var unit = property["x-unit"];
      var label = el("label", { for: id }, [
        property.title || name,
        unit && !unitControl ? el("span", { class: "netlib-live-unit" }, [" (" + unit + ")"]) : null,
        isRequired ? el("span", { class: "netlib-live-required" }, [" required"]) : null,
      ]);
      var accepted = isNumeric(property) && !unitControl
        ? el("span", { class: "netlib-live-accepted" }, ["Accepts " + property["x-accepted"] + ". "]) : null;
      var error = el("div", { class: "netlib-live-error", id: id + "-error", "aria-live": "polite" });
      var help = accepted || property.description
        ? el("div", { class: "netlib-live-help", id: id + "-help" }, [accepted, property.description || null])
        : null;
      control.setAttribute("aria-describedby", (help ? id + "-help " : "") + id + "-error");
      var row = el("div", { class: "netlib-live-field", "data-field": name }, [
        label, el("div", { class: "netlib-live-control" }, [control, unitControl]), error, help,
      ]);
      var field = { row: row, control: control, error: error, label: property.title || name,
        unitControl: unitControl, names: names };
      names.forEach(function (item) { self.fields[item] = field; });
      if (unitControl) {
        var rename = function () {
          control.name = unitControl.value;
          row.dataset.field = unitControl.value;
        };
        unitControl.addEventListener("change", rename);
        rename();
      }
      return row;
    }

    var form = el("form", { class: "netlib-live-form", novalidate: true, autocomplete: "off",
      "aria-label": (schema.title || "Form") + ": inputs" });
    var groups = schema["x-groups"];
    if (groups && groups.length) {
      // Long forms come in groups; a group opens by itself when it holds a required field, a
      // given value or a field in error.
      groups.forEach(function (group) {
        var rows = group.fields.filter(function (name) { return !done.has(name) && schema.properties[name]; })
          .map(fieldRow);
        if (!rows.length) {
          return;
        }
        var given = group.fields.filter(function (name) {
          return initial[name] !== undefined && initial[name] !== null && initial[name] !== "";
        }).length;
        var needed = group.fields.some(function (name) { return required.has(name); });
        var details = el("details", { class: "netlib-live-group", "data-group": group.title,
          open: given > 0 || needed }, [
          el("summary", {}, [group.title, el("span", { class: "netlib-live-group-count" }, [""])]),
        ].concat(rows));
        form.append(details);
      });
    } else {
      order.forEach(function (name) {
        if (!done.has(name)) {
          form.append(fieldRow(name));
        }
      });
    }
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.addEventListener("input", function () { self.compute(); });
    form.addEventListener("change", function (event) {
      if (event.target.classList.contains("netlib-live-unit-choice")) {
        self.compute();
      }
    });

    self.result = el("div", { class: "netlib-live-result", "aria-live": "polite", tabindex: "-1",
      id: uid + "-result" });
    self.copyButton = el("button", { type: "button", class: "netlib-live-copy" }, ["Copy result"]);
    self.copyStatus = el("span", { class: "netlib-live-copy-status", role: "status" });
    self.copyButton.addEventListener("click", function () { self.copy(); });
    var panel = el("div", { class: "netlib-live-panel" }, [
      self.result, el("p", { class: "netlib-live-actions" }, [self.copyButton, " ", self.copyStatus]),
    ]);
    // On a phone the result may be far below the field being edited: a bar at the foot of the
    // screen shows the headline and jumps to the full result.
    self.barText = el("span", { class: "netlib-live-bar-text" });
    var jump = el("a", { href: "#" + uid + "-result", class: "netlib-live-bar-jump" }, ["Show result"]);
    jump.addEventListener("click", function (event) {
      event.preventDefault();
      self.result.scrollIntoView({ block: "start" });
      self.result.focus({ preventScroll: true });
    });
    self.bar = el("div", { class: "netlib-live-bar", hidden: true, "aria-hidden": "true" }, [self.barText, " ", jump]);
    holder.querySelectorAll(".netlib-live-status").forEach(function (node) { node.remove(); });
    var about = python.info;
    var footer = el("p", { class: "netlib-live-footer" }, [el("small", {}, [
      "Computed in this browser by netlib " + python.schemas.version + " (Python " + about.pythonVersion
        + ", Pyodide " + about.pyodideVersion + "). " + python.schemas.notice,
    ])]);
    holder.append(el("div", { class: "netlib-live-body" }, [form, panel]), self.bar, footer);
    holder.dataset.state = "ready";
    self.watchBar(form);
    self.compute();
  }

  LiveForm.prototype.watchBar = function (form) {
    // The bar shows while the reader works in the form and the headline is out of view: on a phone
    // the result is below a long form; on a wide screen the sticky result can still be pushed off
    // near the end of a long form.
    var self = this;
    var pending = false;
    var update = function () {
      pending = false;
      var height = window.innerHeight;
      var formBox = form.getBoundingClientRect();
      var headline = self.result.querySelector(".netlib-headline");
      var box = headline ? headline.getBoundingClientRect() : null;
      var headlineSeen = box && box.top >= 0 && box.bottom <= height && box.height > 0;
      var formSeen = formBox.bottom > 0 && formBox.top < height;
      var show = formSeen && !headlineSeen && self.holder.dataset.state === "ready";
      self.bar.hidden = !show;
      self.bar.setAttribute("aria-hidden", show ? "false" : "true");
    };
    var schedule = function () {
      if (!pending) {
        pending = true;
        window.requestAnimationFrame(update);
      }
    };
    window.addEventListener("scroll", schedule, { passive: true });
    window.addEventListener("resize", schedule);
    self.updateBar = schedule;
  };

  LiveForm.prototype.values = function () {
    var values = {};
    Object.keys(this.fields).forEach(function (name) {
      var field = this.fields[name];
      if (field.unitControl) {
        values[name] = field.unitControl.value === name ? field.control.value : "";
      } else {
        values[name] = field.control.value; // as typed; "" means not given
      }
    }, this);
    return values;
  };

  LiveForm.prototype.compute = function () {
    // One question at a time: edits made while Python is answering are coalesced into one more
    // question with the latest values, so fast typing never queues a backlog in the worker.
    var self = this;
    self.holder.dataset.busy = "true";
    if (self.inFlight) {
      self.dirty = true;
      return;
    }
    self.inFlight = true;
    self.dirty = false;
    var sequence = ++self.sequence;
    var started = performance.now();
    var settle = function () {
      self.inFlight = false;
      if (self.dirty) {
        self.compute();
      } else {
        self.finish(sequence, started);
      }
    };
    self.python.call(self.operation.name, self.operation.args(self.values())).then(function (answer) {
      if (!self.dirty) {
        self.show(answer);
      }
      settle();
    }, function (error) {
      if (!self.dirty) {
        self.clearErrors();
        self.answer = null;
        self.result.className = "netlib-live-result netlib-result netlib-error";
        self.result.replaceChildren("\u26a0 The calculation failed unexpectedly (" + error.message + ").");
      }
      settle();
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

  LiveForm.prototype.markError = function (error) {
    var field = this.fields[error.field];
    if (!field) {
      return null;
    }
    field.row.classList.add("netlib-live-invalid");
    field.control.setAttribute("aria-invalid", "true");
    field.error.textContent = "\u26a0 " + error.message;
    var group = field.row.closest("details");
    if (group) {
      group.open = true;
    }
    return field;
  };

  LiveForm.prototype.show = function (answer) {
    var self = this;
    self.clearErrors();
    self.answer = answer;
    var notices = [];
    (answer.errors || (answer.error ? [answer.error] : [])).forEach(function (error) {
      var field = self.markError(error);
      var label = field ? field.label : error.label;
      notices.push(el("li", { "data-field": error.field }, [
        field ? el("a", { href: "#" + field.control.id }, [label]) : (label || ""), label ? ": " : "",
        error.message,
      ]));
    });
    var errorBox = notices.length ? el("div", { class: "netlib-live-errors", role: "alert" }, [
      el("p", {}, [answer.ok
        ? "\u26a0 Check the highlighted field" + (notices.length > 1 ? "s" : "")
          + ": set aside, the rest of the result comes from the other fields."
        : "\u26a0 Check the highlighted field: no result until it is corrected."]),
      el("ul", {}, notices),
    ]) : null;
    if (!answer.ok) {
      self.result.className = "netlib-live-result netlib-result netlib-error";
      self.result.removeAttribute("data-tone");
      self.result.replaceChildren(errorBox || "\u26a0 " + answer.error.message);
      self.barText.textContent = "\u26a0 Check " + (notices.length ? answer.error.label || "the form" : "the form");
      self.updateBar();
      return;
    }
    self.result.className = "netlib-live-result netlib-result";
    var parts = self.render(answer, self);
    if (errorBox) {
      parts.unshift(errorBox);
      self.result.classList.add("netlib-partial");
    }
    self.result.replaceChildren.apply(self.result, parts);
    var headline = self.result.querySelector(".netlib-headline");
    self.barText.textContent = (errorBox ? "\u26a0 " : "") + (headline ? headline.textContent : "");
    self.updateBar();
  };

  LiveForm.prototype.summary = function () {
    // A plain-text record for a clinical note: inputs as labelled, the result, versions and the date.
    var self = this;
    var lines = [(self.schema.title || "Result") + " \u2014 " + new Date().toISOString().slice(0, 10)];
    lines.push("Inputs:");
    var seen = new Set();
    Object.keys(self.fields).forEach(function (name) {
      var field = self.fields[name];
      if (seen.has(field)) {
        return;
      }
      seen.add(field);
      var control = field.control;
      var text = control.tagName === "SELECT"
        ? (control.value ? control.options[control.selectedIndex].text : "")
        : control.value.trim();
      if (!text) {
        return;
      }
      var property = self.schema.properties[control.name] || {};
      var unit = property["x-unit"] && control.tagName !== "SELECT" ? " " + property["x-unit"] : "";
      lines.push("  " + field.label + ": " + text + unit);
    });
    lines.push("Result:");
    self.result.querySelectorAll(".netlib-headline, .netlib-live-tone, .netlib-live-interpretation, "
      + ".netlib-live-warnings li, .netlib-live-errors li, .netlib-live-options > li, .netlib-live-excluded > li, "
      + ".netlib-live-missing li, .netlib-live-car-t > p").forEach(function (node) {
      lines.push("  " + node.textContent.replace(/\s+/g, " ").trim());
    });
    var ruleset = self.answer && self.answer.result && self.answer.result.ruleset_version;
    lines.push("netlib " + self.python.schemas.version + (ruleset ? ", rule set " + ruleset : "")
      + ". " + self.python.schemas.notice);
    return lines.join("\n");
  };

  LiveForm.prototype.copy = function () {
    var self = this;
    var text = self.summary();
    var done = function (message) { self.copyStatus.textContent = message; };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(function () { done("Copied."); }, function () {
        done("Copying was refused by the browser.");
      });
    } else {
      done("This browser cannot copy from the page.");
    }
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

  var TONE_WORDS = { good: "\u2713 favourable", caution: "\u25b2 caution", bad: "\u2716 unfavourable",
    neutral: "\u2022 no grade" };

  function severityScale(severity, category) {
    // The category's place on its scale in words and as marked steps: colour is never the only cue.
    if (!severity) {
      return null;
    }
    var words = TONE_WORDS[severity.tone] || severity.tone;
    var where = severity.rank ? " \u2014 step " + severity.rank + " of " + severity.of : "";
    return el("div", { class: "netlib-live-tone", "data-tone": severity.tone }, [
      el("span", { class: "netlib-live-tone-text" }, [words + where]),
      severity.of > 1 ? el("ol", { class: "netlib-live-scale", "aria-label": "Scale, most favourable first" },
        severity.scale.map(function (step, index) {
          var current = index + 1 === severity.rank;
          return el("li", { class: current ? "netlib-live-step-current" : null,
            "aria-current": current ? "true" : null }, [step]);
        })) : null,
    ]);
  }

  function renderCalculation(answer, form) {
    var result = answer.plain || answer.result;
    var severity = answer.severity;
    form.result.dataset.tone = severity ? severity.tone : "neutral";
    var parts = [
      el("div", { class: "netlib-headline" }, [answer.headline]),
      severityScale(severity, result.category),
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

  // The flowchart on the page (inline SVG, boxes carry data-rules) lights up the rules that applied.
  function highlightPath(trace) {
    var fired = new Set((trace || []).filter(function (step) { return step.fired; }).map(function (step) {
      return step.rule_id;
    }));
    document.querySelectorAll(".netlib-chart [data-rules]").forEach(function (node) {
      var on = node.dataset.rules.split(" ").some(function (rule) { return fired.has(rule); });
      node.classList.toggle("netlib-on-path", on);
    });
  }

  function renderRecommendations(answer, form) {
    var result = answer.plain || answer.result;
    var shown = new Set(); // a statement is said once per result
    var once = function (text) {
      var key = String(text || "").replace(/\s+/g, " ").trim();
      if (!key || shown.has(key)) {
        return false;
      }
      shown.add(key);
      return true;
    };
    form.result.dataset.tone = result.recommendations.length ? "good" : "neutral";
    var parts = [el("div", { class: "netlib-headline" }, ["Pathway: " + result.pathway])];
    if (result.recommendations.length) {
      parts.push(el("p", { class: "netlib-live-first" }, ["First option: ",
        el("strong", {}, [result.recommendations[0].name]), " (" + result.recommendations[0].tier + ")."]));
    }
    if (result.redirect) {
      parts.push(el("p", { class: "netlib-live-redirect" }, [result.redirect]));
    }
    if (result.car_t) {
      once(result.car_t.position);
    }
    if (result.recommendations.length) {
      parts = parts.concat(section("Options, best first", el("ol", { class: "netlib-live-options" },
        result.recommendations.map(function (option) {
          return el("li", { "data-option": option.option, "data-tier": option.tier }, [
            el("strong", { class: "netlib-live-option-name" }, [option.name]), ": ",
            el("em", { class: "netlib-live-tier" }, [option.tier]),
            " (evidence " + option.evidence + "; rule " + option.rule_ids.join(", ") + "). " + option.rationale,
            option.dose ? el("div", { class: "netlib-live-dose" }, [el("small", {}, ["Dose: " + option.dose])]) : null,
            option.car_t_note && once(option.car_t_note)
              ? el("div", { class: "netlib-live-car-t-note" }, [el("small", {}, [option.car_t_note])]) : null,
            citations(option.citations),
          ]);
        }))));
    }
    if (result.excluded.length) {
      parts = parts.concat(section("Not recommended", el("ul", { class: "netlib-live-excluded" },
        result.excluded.map(function (item) {
          return el("li", { "data-option": item.option }, [
            el("span", { class: "netlib-live-no" }, ["\u2716 not recommended: "]),
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
        result.advice.filter(function (item) { return once(item.statement); }).map(function (item) {
          return el("li", {}, [item.statement, citations(item.citations)]);
        }))));
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
    var always = (result.always || []).filter(function (item) { return once(item.statement); });
    if (always.length) {
      parts = parts.concat(section("Always", el("ul", { class: "netlib-live-always" },
        always.map(function (item) { return el("li", {}, [item.statement, citations(item.citations)]); }))));
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
    highlightPath(result.trace);
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
