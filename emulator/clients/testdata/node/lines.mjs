// The line protocol the Go tests speak with these scripts: one JSON object per line on stdout;
// the Go side answers with one line on stdin (the URL the emulator redirected to).
import readline from "node:readline";

const rl = readline.createInterface({ input: process.stdin });
const pending = [];
const queued = [];
rl.on("line", (line) => {
  if (pending.length) pending.shift()(line);
  else queued.push(line);
});

export function send(obj) {
  process.stdout.write(JSON.stringify(obj) + "\n");
}

export function readLine() {
  if (queued.length) return Promise.resolve(queued.shift());
  return new Promise((resolve) => pending.push(resolve));
}

export async function main(fn) {
  try {
    await fn();
  } catch (err) {
    send({ error: String(err && (err.errorMessage || err.message) || err), code: err && (err.errorCode || err.code) });
  }
  rl.close();
}
