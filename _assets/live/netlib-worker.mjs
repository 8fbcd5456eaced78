// The Python side of the live forms: Pyodide and netlib, in a module Web Worker.
//
// netlib-live.js starts this worker with {type: "start", pyodide: <folder URL>, manifest: <URL of
// netlib-live.json>}.  The worker loads the Pyodide core from the site itself, fetches the wheel
// the manifest names (build_book.py writes both), unpacks it into Pyodide's
// file system and answers {type: "call", id, op, args} with netlib.browser's JSON text.  It runs
// off the page's main thread, so the page stays responsive while Python starts.  Nothing here
// computes: every answer comes from netlib.browser (calculate, recommend).

const OPERATIONS = new Set(["calculate", "recommend"]);

let started = null;
let bridge = null;

function lastLine(error) {
  // A Python exception's message is its whole traceback; the page shows only the last line.
  const text = String((error && error.message) || error).trim();
  return text.split("\n").filter((line) => line.trim()).pop() || "unknown error";
}

async function fetchChecked(url, what) {
  const response = await fetch(url, { cache: what === "manifest" ? "no-cache" : "default" });
  if (!response.ok) {
    throw new Error(`could not fetch the ${what} (HTTP ${response.status})`);
  }
  return response;
}

async function start({ pyodide: indexURL, manifest: manifestURL }) {
  const began = performance.now();
  const phases = {};
  const mark = (name) => { phases[name] = Math.round(performance.now() - began); };
  // Pyodide and the wheel download in parallel; the manifest names the wheel.
  const wheel = fetchChecked(manifestURL, "manifest")
    .then((response) => response.json())
    .then((manifest) => {
      postMessage({ type: "manifest", manifest });
      const url = new URL(`${manifest.wheel}?v=${manifest.sha256.slice(0, 16)}`, manifestURL);
      return fetchChecked(url, "netlib wheel");
    })
    .then((response) => response.arrayBuffer());
  const { loadPyodide } = await import(new URL("pyodide.mjs", indexURL).href);
  mark("pyodide.mjs");
  const python = await loadPyodide({ indexURL, packages: [] });
  mark("pyodide");
  python.unpackArchive(await wheel, "wheel");
  mark("wheel");
  bridge = python.pyimport("netlib.browser");
  const schemas = bridge.schemas_json();
  mark("netlib");
  postMessage({
    type: "ready",
    schemas,
    pythonVersion: python.runPython("import sys; sys.version.split()[0]"),
    pyodideVersion: python.version,
    phases,
  });
}

function failure(error) {
  // The page shows `error`; the full text (a Python traceback, say) goes to the console only.
  return { error: lastLine(error), detail: String((error && (error.stack || error.message)) || error) };
}

self.onmessage = async (event) => {
  const message = event.data;
  if (message.type === "start") {
    started ??= start(message).catch((error) => postMessage({ type: "failed", ...failure(error) }));
    return;
  }
  if (message.type !== "call") {
    return;
  }
  await started;
  const reply = { type: "answer", id: message.id };
  if (!bridge) {
    postMessage({ ...reply, error: "Python did not start" });
  } else if (!OPERATIONS.has(message.op)) {
    postMessage({ ...reply, error: `unknown operation ${message.op}` });
  } else {
    try {
      postMessage({ ...reply, answer: bridge[message.op](...message.args) });
    } catch (error) {
      postMessage({ ...reply, ...failure(error) });
    }
  }
};
