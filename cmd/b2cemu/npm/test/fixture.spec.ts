// The b2cemu/playwright fixture, run with the example suite when the packed npm packages are
// checked (cmd/b2cemu/release): an emulator of this worker's own, baseURL set to it, and its
// outbox and users API through the helper, with an admin token.
import { test, expect } from "b2cemu/playwright";
import { authorizeUrl, uniqueEmail } from "./b2c";

test.use({ b2cemuOptions: { adminToken: "fixture-admin-token" } });

test("the fixture: baseURL, the email outbox and the users API", async ({ page, baseURL, b2cemu, request }) => {
  expect(baseURL).toBe(b2cemu.url);
  expect(baseURL).not.toBe(process.env.B2CEMU_URL); // not the run's global emulator
  expect((await request.get("/_emulator/users")).status()).toBe(401); // the token guards it

  const seeded = await b2cemu.createUser({ email: uniqueEmail("seeded"), password: "Passw0rd!", attributes: { displayName: "Seeded" } });
  expect((await b2cemu.users()).map((u) => u.objectId)).toContain(seeded.objectId);

  const email = uniqueEmail("fixture");
  await page.goto(authorizeUrl(baseURL!));
  await page.locator("#createAccount").click();
  await page.locator("#email").fill(email);
  await page.locator("#email_ver_but_send").click();
  await expect(page.locator("#email_info")).toContainText("Verification code has been sent");
  await page.locator("#email_ver_input").fill(await b2cemu.code(email));
  await page.locator("#email_ver_but_verify").click();
  await expect(page.locator("#email_info")).toHaveText("E-mail address verified. You can now continue.");
  expect((await b2cemu.emails(email)).length).toBe(1);

  await b2cemu.reset();
  expect(await b2cemu.users()).toEqual([]);
});
