// Watchdog between the app and an embedded server (mongod, meilisearch).
// Usage: node guard.cjs <parentPid> <logFile|-> <command> [args...]
// It runs the command, and stops it when the parent process is gone (crash, SIGKILL) or when
// the guard itself is told to stop (SIGTERM/SIGINT). So an embedded server is never orphaned.
"use strict";
const { spawn } = require("node:child_process");
const fs = require("node:fs");

const [parentPid, logFile, command, ...args] = process.argv.slice(2);
const out = logFile === "-" ? "inherit" : fs.openSync(logFile, "a");
const child = spawn(command, args, { stdio: ["ignore", out, out] });
let stopping = false;

function stopChild(reason) {
  if (stopping) return;
  stopping = true;
  if (child.exitCode !== null || child.signalCode !== null) process.exit(0);
  try {
    child.kill("SIGTERM");
  } catch {
    /* already gone */
  }
  // mongod flushes its journal on SIGTERM; give it time, then insist.
  setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch {
      /* already gone */
    }
  }, 20000).unref();
  if (reason) process.stderr.write(`[guard] stopping ${command}: ${reason}\n`);
}

child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
child.on("error", (err) => {
  process.stderr.write(`[guard] ${err.message}\n`);
  process.exit(127);
});
process.on("SIGTERM", () => stopChild());
process.on("SIGINT", () => stopChild());
process.on("SIGHUP", () => stopChild());

const watch = setInterval(() => {
  try {
    process.kill(Number(parentPid), 0);
  } catch {
    clearInterval(watch);
    stopChild("parent process is gone");
  }
}, 500);
