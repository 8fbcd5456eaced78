// Render TeX formulas to HTML + MathML with KaTeX (pinned in package.json), for _ext/formulas.py.
// Reads a JSON list of [tex, display] pairs on stdin and writes a JSON list of HTML strings on
// stdout.  A formula KaTeX cannot parse stops the run with its message (the build then fails).
"use strict";
const katex = require("katex");

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const rendered = [];
  for (const [tex, display] of JSON.parse(input)) {
    try {
      rendered.push(katex.renderToString(tex, {
        displayMode: display, output: "htmlAndMathml", throwOnError: true, strict: "error",
      }));
    } catch (error) {
      process.stderr.write(`${error.message}\n  in: ${tex}\n`);
      process.exit(1);
    }
  }
  process.stdout.write(JSON.stringify(rendered));
});
