// The loyalty walkthrough's custom policies (docs/examples/custom-policies), driven with B2C's
// element ids. The verification code is read from b2cemu's outbox, where a suite against a
// real tenant would read a test mailbox.
import { test, expect } from "@playwright/test";
import { tokenClaims, verifyEmail } from "./b2c";

const base = process.env.B2CEMU_CUSTOM_URL;
const clientId = "4f6b1a52-8c7e-4d3a-9b21-6e0f5c7d8a90";

test.skip(!base, "set B2CEMU_CUSTOM_URL to b2cemu running docs/examples/custom-policies/b2cemu.yaml");

function authorizeUrl(): string {
  const q = new URLSearchParams({
    client_id: clientId,
    redirect_uri: `${base}/jwt`,
    response_type: "id_token",
    response_mode: "form_post",
    scope: "openid",
    nonce: "playwright",
    prompt: "login",
  });
  return `${base}/contoso.onmicrosoft.com/B2C_1A_signup_signin/oauth2/v2.0/authorize?${q}`;
}

test("custom policy: verified email, the REST profile's 409 on the page, promoCode in the token", async ({ page, request }) => {
  const email = `loyal-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@contoso.com`;
  await page.goto(authorizeUrl());
  await page.locator("#createAccount").click();

  await verifyEmail(page, request, base!, email);
  await expect(page.locator("#email_ver_but_edit")).toBeVisible();

  await page.locator("#newPassword").fill("Passw0rd!x");
  await page.locator("#reenterPassword").fill("Passw0rd!x");
  await page.locator("#displayName").fill("Loyal Customer");
  await page.locator("#loyaltyId").fill("12");
  // the policy's password rule is checked in the page, with its help text, before any request
  await page.locator("#newPassword").fill("weakpass");
  await page.locator("#reenterPassword").focus();
  await expect(page.locator(".newPassword_li .error.itemLevel.show")).toHaveText("8-16 characters, with 3 of: lower case, upper case, digits, symbols.");
  await page.locator("#newPassword").fill("Passw0rd!x");
  await page.locator("#continue").click();
  await expect(page.locator("#claimVerificationServerError")).toContainText("Your loyalty number is not valid");
  await expect(page.locator("#loyaltyId")).toHaveValue("12");

  await page.locator("#loyaltyId").fill("654321");
  await page.locator("#newPassword").fill("Passw0rd!x");
  await page.locator("#reenterPassword").fill("Passw0rd!x");
  await page.locator("#continue").click();
  const claims = await tokenClaims(page);
  expect(claims.promoCode).toBe("LOYAL-4321");
  expect(claims.email).toBe(email);
});
