// duckdb_run.cjs - the few options of DuckDB's command line shell that fairgate's tests (and
// the README's Parquet workflow) use, over npm's @duckdb/node-api, for machines without the
// `duckdb` binary (Debian packages none):
//
//   node duckdb_run.cjs [-csv] [-header] [-cmd SQL]... [-c SQL | -f FILE] [DATABASE]
//
// Runs each -cmd in order, then -c's SQL, or FILE's, or else standard input's, statement by
// statement, in DATABASE (in memory when not given). Every statement that returns rows has
// them written to standard output as CSV (RFC 4180: a field holding a comma, a quote, CR or
// LF is quoted, its quotes doubled; NULL is an empty field) with a header line; -csv and
// -header say so, as the shell's own options do, and are the only output accepted. A failing
// statement prints DuckDB's message on standard error and exits 1; misuse exits 2.
// @duckdb/node-api is found as node finds it (set NODE_PATH to the folder that holds it).
"use strict";
const fs = require("fs");

function usage(message) {
    process.stderr.write(`duckdb_run: ${message}\n` +
        "usage: duckdb_run.cjs [-csv] [-header] [-cmd SQL]... [-c SQL | -f FILE] [DATABASE]\n");
    process.exit(2);
}

function parseArgs(argv) {
    const opts = { before: [], main: null, database: ":memory:" };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === "-csv" || a === "-header") continue;
        if (a === "-cmd" || a === "-c" || a === "-f") {
            if (i + 1 >= argv.length) usage(`${a} needs an argument`);
            const arg = argv[++i];
            if (a === "-cmd") opts.before.push(arg);
            else if (opts.main !== null) usage("-c and -f are given once, not both");
            else opts.main = a === "-c" ? arg : fs.readFileSync(arg, "utf8");
        } else if (a.startsWith("-")) {
            usage(`unsupported option ${a}`);
        } else if (opts.database !== ":memory:") {
            usage(`a second database ${a}`);
        } else {
            opts.database = a;
        }
    }
    if (opts.main === null) opts.main = fs.readFileSync(0, "utf8");
    return opts;
}

function csvField(value) {
    if (value === null || value === undefined) return "";
    const text = typeof value === "string" ? value : String(value);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvLine(values) {
    return values.map(csvField).join(",") + "\n";
}

// Runs every statement of sql; writes the rows of those that return some.
async function runScript(duckdb, connection, sql) {
    const statements = await connection.extractStatements(sql);
    for (let i = 0; i < statements.count; i++) {
        const prepared = await statements.prepare(i);
        const reader = await prepared.runAndReadAll();
        if (reader.returnType !== duckdb.ResultReturnType.QUERY_RESULT) continue;
        let out = csvLine(reader.columnNames());
        for (const row of reader.getRows()) out += csvLine(row);
        process.stdout.write(out);
    }
}

async function main() {
    const opts = parseArgs(process.argv.slice(2));
    const duckdb = require("@duckdb/node-api");
    const instance = await duckdb.DuckDBInstance.create(opts.database);
    const connection = await instance.connect();
    try {
        for (const sql of [...opts.before, opts.main]) await runScript(duckdb, connection, sql);
    } finally {
        connection.closeSync();
    }
}

main().catch((e) => {
    process.stderr.write(`Error: ${e && e.message ? e.message : e}\n`);
    process.exit(1);
});
