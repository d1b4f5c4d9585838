// Sign-up journeys of the demo tenant, written with B2C's own element ids so that the same
// selectors work against a real tenant.
import { test, expect } from "@playwright/test";
import { authorizeUrl, uniqueEmail, tokenClaims, signInAtFakeProvider, policy, clientId, verifyEmail } from "./b2c";

test("federated sign-up: pre-fill, the validation loop, and the connector's claims in the token", async ({ page, baseURL }) => {
  await page.goto(authorizeUrl(baseURL!));
  await page.locator("#FacebookExchange").click();
  await signInAtFakeProvider(page, uniqueEmail("social"), "Bob");

  // The attribute page is pre-filled from the identity provider.
  await expect(page.locator("#api[data-name=SelfAsserted]")).toBeVisible();
  await expect(page.locator("#displayName")).toHaveValue("Bob");

  // The page submits in the background, as B2C's does; the connector answers ValidationError:
  // B2C's JSON, the message is shown, the page stays and the values are kept.
  const [answer] = await Promise.all([
    page.waitForResponse((r) => r.url().includes("/SelfAsserted?") && r.request().method() === "POST"),
    page.locator("#continue").click(),
  ]);
  expect(await answer.json()).toMatchObject({ status: "400" });
  await expect(page.locator("#claimVerificationServerError")).toBeVisible();
  await expect(page.locator("#claimVerificationServerError")).toContainText("longer than five characters");
  await expect(page.locator("#displayName")).toHaveValue("Bob");

  await page.locator("#displayName").fill("Bob Jones");
  await page.locator("#extension_LoyaltyNumber").fill("L-1234"); // a custom attribute, as B2C names it
  await Promise.all([
    page.waitForURL(/\/api\/SelfAsserted\/confirmed\?/, { waitUntil: "commit" }),
    page.locator("#continue").click(),
  ]);
  const claims = await tokenClaims(page);
  expect(claims.extension_LoyaltyNumber).toBe("L-1234");
  expect(claims.name).toBe("Bob Jones");
  expect(claims.jobTitle).toBe("Demo Engineer");
  expect(claims.newUser).toBe("true");
});

test("a required field left empty", async ({ page, baseURL }) => {
  await page.goto(authorizeUrl(baseURL!));
  await page.locator("#FacebookExchange").click();
  await signInAtFakeProvider(page, uniqueEmail("required"), "Required Test");
  await page.locator("#displayName").fill("");
  await page.locator("#continue").click();
  await expect(page.locator("#requiredFieldMissing")).toBeVisible();
  await expect(page.locator(".displayName_li .error.itemLevel.show")).toHaveText("This information is required.");
  await expect(page.locator("#displayName")).toHaveClass(/highlightError/);
});

test("the sign-in page checks its fields before sending them", async ({ page, baseURL }) => {
  await page.goto(authorizeUrl(baseURL!));
  await expect(page).toHaveTitle("Sign up or sign in");
  await expect(page.locator("[type=submit]")).toHaveCount(1);
  await page.locator("[type=submit]").click();
  await expect(page.locator(".error.itemLevel.show")).toHaveText(["Please enter your Email Address", "Please enter your password"]);
});

test("the block page", async ({ page, baseURL }) => {
  await page.goto(authorizeUrl(baseURL!));
  await page.locator("#GoogleExchange").click();
  await signInAtFakeProvider(page, `blocked-${Date.now()}@contoso.com`, "Blocked User");
  await expect(page.locator("#api[data-name=SelfAsserted]")).toContainText("You are not able to sign up");
  await expect(page.locator("#continue")).toHaveCount(0);
});

test("cancel returns access_denied to the application", async ({ page, baseURL }) => {
  await page.goto(authorizeUrl(baseURL!));
  await expect(page.locator("#cancel")).toHaveCount(0); // the unified page has none; the sign-up page has
  await page.locator("#createAccount").click();
  await page.locator("#cancel").click();
  await expect(page.locator("#tokenError")).toContainText("access_denied");
  await expect(page.locator("#errorDescription")).toContainText("AADB2C90091");
});

test("forgot password: the application gets AADB2C90118 and starts password reset", async ({ page, baseURL }) => {
  await page.goto(authorizeUrl(baseURL!));
  // form_post: B2C's answer is a POST to the redirect URI carrying the error
  const back = page.waitForRequest((r) => (r.postData() ?? "").includes("AADB2C90118"));
  await page.locator("#forgotPassword").click();
  await back; // B2C's answer to the application; the demo application then starts B2C_1_reset
  await expect(page).toHaveURL(/B2C_1_reset/i);
  await expect(page.locator("#email_ver_but_send")).toBeVisible();
});

test("local sign-up, then sign-in", async ({ browser, baseURL, request }) => {
  const email = uniqueEmail("local");
  const signUp = await browser.newPage();
  await signUp.goto(authorizeUrl(baseURL!));
  await signUp.locator("#createAccount").click();
  await verifyEmail(signUp, request, baseURL!, email); // a user flow verifies it by default, as B2C does
  await signUp.locator("#newPassword").fill("Passw0rd!");
  await signUp.locator("#reenterPassword").fill("Passw0rd?");
  await signUp.locator("#displayName").fill("Local Tester");
  await signUp.locator("#continue").click();
  await expect(signUp.locator("#passwordEntryMismatch")).toBeVisible();
  await signUp.locator("#reenterPassword").fill("Passw0rd!");
  await signUp.locator("#continue").click();
  expect((await tokenClaims(signUp)).newUser).toBe("true");

  // A new browser context: no SSO session, so the sign-in page is shown.
  const context = await browser.newContext();
  const signIn = await context.newPage();
  await signIn.goto(authorizeUrl(baseURL!));
  await signIn.locator("#email").fill(email);
  await signIn.locator("#password").fill("wrong password");
  await signIn.locator("#next").click();
  await expect(signIn.locator(".localAccount .error.pageLevel")).toHaveText("Your password is incorrect.");
  // the same message as suites written for real tenants select it
  await expect(signIn.locator('form#localAccountForm > div[role="alert"] > p')).toHaveText("Your password is incorrect.");
  await signIn.locator("#password").fill("Passw0rd!");
  await signIn.locator("#password").press("Enter");
  const claims = await tokenClaims(signIn);
  expect(claims.name).toBe("Local Tester");
  expect(claims.newUser).toBeUndefined();
  await context.close();
});

test("a signed-in user in milliseconds through the headless API", async ({ request }) => {
  const res = await request.post(`/_emulator/flows/${policy}/run`, {
    data: {
      clientId,
      identityProvider: "email",
      account: { email: uniqueEmail("headless"), password: "Passw0rd!" },
      attributes: [{ displayName: "Headless User" }],
    },
  });
  expect(res.ok()).toBeTruthy();
  const run = await res.json();
  expect(run.outcome).toBe("token");
  expect(run.claims.name).toBe("Headless User");
  expect(run.calls.map((c: { step: string }) => c.step)).toEqual(["PostAttributeCollection"]);
});
