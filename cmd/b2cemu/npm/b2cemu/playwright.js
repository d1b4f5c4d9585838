// Playwright fixtures: `b2cemu`, one emulator per worker on a free port, and `baseURL` set to
// it. Options for startB2cemu go in `b2cemuOptions` (test.use or the config's use).
"use strict";
const { test: base, expect } = require("@playwright/test");
const { startB2cemu } = require("./index.js");

const test = base.extend({
  b2cemuOptions: [{}, { scope: "worker", option: true }],
  b2cemu: [
    async ({ b2cemuOptions }, use) => {
      const emu = await startB2cemu(b2cemuOptions);
      try {
        await use(emu);
      } finally {
        await emu.stop();
      }
    },
    { scope: "worker" },
  ],
  baseURL: async ({ b2cemu }, use) => use(b2cemu.url),
});

module.exports = { test, expect, startB2cemu };
