// A Playwright globalSetup (globalSetup: "b2cemu/global-setup"): one b2cemu on a free port for
// the whole run, its URL in B2CEMU_URL for the config and the tests, stopped at the end. With
// B2CEMU_URL already set, the suite runs against that emulator and nothing is started.
// B2CEMU_CONFIG names the configuration to serve (the demo tenant without it).
"use strict";
const { startB2cemu } = require("./index.js");

module.exports = async function globalSetup() {
  if (process.env.B2CEMU_URL) {
    return undefined;
  }
  const emu = await startB2cemu();
  process.env.B2CEMU_URL = emu.url;
  return async () => {
    await emu.stop();
    delete process.env.B2CEMU_URL;
  };
};
