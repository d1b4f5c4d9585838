// The b2cemu binary of this platform, and startB2cemu: one emulator on a free loopback port
// for a test run, with its URL, the email outbox and the users API.
"use strict";
const { spawn } = require("node:child_process");
const http = require("node:http");
const https = require("node:https");

// The platforms a release ships, as process.platform-process.arch.
const platforms = ["linux-x64", "linux-arm64", "darwin-x64", "darwin-arm64", "win32-x64", "win32-arm64"];

/** The path of the b2cemu binary: $B2CEMU_BINARY, else this platform's optional package's. */
function binaryPath() {
  if (process.env.B2CEMU_BINARY) {
    return process.env.B2CEMU_BINARY;
  }
  const platform = `${process.platform}-${process.arch}`;
  const exe = process.platform === "win32" ? "b2cemu.exe" : "b2cemu";
  if (!platforms.includes(platform)) {
    throw new Error(
      `no b2cemu binary is published for ${platform} (there are ${platforms.join(", ")}); ` +
        "build one with `go install github.com/b2cemu/b2cemu/cmd/b2cemu@latest` and set B2CEMU_BINARY to its path",
    );
  }
  try {
    return require.resolve(`@b2cemu/${platform}/bin/${exe}`);
  } catch {
    throw new Error(
      `@b2cemu/${platform}, which holds the binary, is not installed. It is an optional dependency of b2cemu, ` +
        "left out by --omit=optional, --no-optional or a lock file made on another platform without it: " +
        "run `npm i -D b2cemu` again without those, or set B2CEMU_BINARY to a b2cemu binary",
    );
  }
}

/**
 * Starts `b2cemu serve --addr 127.0.0.1:0` (the demo tenant, or options.config), waits until
 * GET /healthz answers 200 and resolves to a B2cemu. options: config (a b2cemu.yaml), args
 * (more serve arguments), env (more environment), adminToken, binary, timeout (ms, 30000),
 * log (a function given each line b2cemu logs).
 */
async function startB2cemu(options = {}) {
  const bin = options.binary ?? binaryPath();
  const args = ["serve", "--addr", "127.0.0.1:0"];
  if (options.config) {
    args.push("--config", options.config);
  }
  args.push(...(options.args ?? []));
  const env = { ...process.env, ...options.env };
  if (options.adminToken) {
    env.B2CEMU_ADMIN_TOKEN = options.adminToken;
  }
  const child = spawn(bin, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  const timeout = options.timeout ?? 30_000;
  try {
    const url = await servingURL(child, options.log, timeout);
    const emu = new B2cemu(child, url, env.B2CEMU_ADMIN_TOKEN);
    await emu.waitHealthy(timeout);
    return emu;
  } catch (err) {
    child.kill("SIGKILL");
    throw err;
  }
}

// servingURL reads b2cemu's log until the line naming the URL it serves; a process that exits
// first (a broken configuration) rejects with what it printed.
function servingURL(child, log, timeout) {
  return new Promise((resolve, reject) => {
    const seen = [];
    let partial = "";
    const onLine = (line) => {
      seen.push(line);
      if (seen.length > 50) {
        seen.shift(); // the last lines explain a failed start; a long run keeps no more
      }
      log?.(line);
      const m = /\burl=(https?:\/\/\S+)/.exec(line);
      if (m && line.includes("serving")) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    const onData = (chunk) => {
      const lines = (partial + chunk).split("\n");
      partial = lines.pop();
      lines.forEach(onLine);
    };
    child.stdout.setEncoding("utf8").on("data", onData);
    child.stderr.setEncoding("utf8").on("data", onData);
    const timer = setTimeout(() => reject(new Error(`b2cemu did not start within ${timeout} ms:\n${seen.join("\n")}`)), timeout);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(new Error(`starting b2cemu: ${err.message}`));
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`b2cemu exited (status ${code}) before serving:\n${[...seen, partial].join("\n")}`));
    });
  });
}

/** A running b2cemu: its URL and the admin API it serves under /_emulator/. */
class B2cemu {
  constructor(child, url, adminToken) {
    this.process = child;
    this.url = url;
    this.baseURL = url;
    this.adminToken = adminToken;
    this.exited = new Promise((resolve) => child.once("exit", resolve));
  }

  /** The verification emails sent, newest first; to: one address's. */
  async emails(to) {
    const q = to ? `?to=${encodeURIComponent(to)}` : "";
    return (await this.api("GET", `/_emulator/emails${q}`)).emails;
  }

  /** The newest verification code sent to an address. */
  async code(to) {
    const [newest] = await this.emails(to);
    if (!newest) {
      throw new Error(`b2cemu sent no verification email to ${to}`);
    }
    return newest.code;
  }

  /** The directory's users, oldest first. */
  async users() {
    return (await this.api("GET", "/_emulator/users")).users;
  }

  /** Creates a user as POST /_emulator/users does: {email, password, attributes} or {identities, attributes}. */
  async createUser(user) {
    return this.api("POST", "/_emulator/users", user);
  }

  async deleteUser(objectId) {
    await this.api("DELETE", `/_emulator/users/${encodeURIComponent(objectId)}`);
  }

  /** Back to the start state: no users, runs, codes, sessions, calls or emails. */
  async reset() {
    await this.api("POST", "/_emulator/reset");
  }

  /** Any admin API request; resolves to the parsed JSON answer (undefined for 204). */
  async api(method, path, body) {
    const { status, text } = await request(this.url + path, method, body, this.adminToken);
    if (status >= 400) {
      throw new Error(`${method} ${path}: ${status} ${text}`);
    }
    return text ? JSON.parse(text) : undefined;
  }

  async waitHealthy(timeout) {
    const deadline = Date.now() + timeout;
    for (;;) {
      let why;
      try {
        const { status } = await request(`${this.url}/healthz`, "GET");
        if (status === 200) {
          return;
        }
        why = `GET /healthz answered ${status}`;
      } catch (err) {
        why = err.message;
      }
      if (Date.now() > deadline) {
        throw new Error(`b2cemu at ${this.url} is not healthy after ${timeout} ms: ${why}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Stops b2cemu (SIGTERM, then SIGKILL after 5 s) and resolves when it has exited. */
  async stop() {
    if (this.process.exitCode !== null || this.process.signalCode !== null) {
      return;
    }
    this.process.kill("SIGTERM");
    const killer = setTimeout(() => this.process.kill("SIGKILL"), 5000);
    await this.exited;
    clearTimeout(killer);
  }
}

// request speaks to the b2cemu this module started on loopback. Its certificate is not
// checked: with server.tls.enabled it is the development CA's, which Node does not trust.
function request(url, method, body, token) {
  const headers = {};
  const data = body === undefined ? undefined : JSON.stringify(body);
  if (data !== undefined) {
    headers["content-type"] = "application/json";
  }
  if (token) {
    headers.authorization = `Bearer ${token}`;
  }
  const client = url.startsWith("https:") ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(url, { method, headers, rejectUnauthorized: false }, (res) => {
      let text = "";
      res.setEncoding("utf8").on("data", (c) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode, text }));
    });
    req.on("error", reject);
    req.end(data);
  });
}

module.exports = { binaryPath, startB2cemu, B2cemu, platforms };
