// Helpers shared by the specs: where the user flow starts, and a unique address per test so
// that parallel workers never collide.
import { expect, type APIRequestContext, type Page } from "@playwright/test";

// The demo tenant's application; its redirect URI is b2cemu's token viewer (/jwt).
export const clientId = process.env.B2C_CLIENT_ID ?? "6b1c1a4e-8f21-4d8e-9a55-0f2f3c1d2e10";
export const tenant = process.env.B2C_TENANT ?? "contoso.onmicrosoft.com";
export const policy = process.env.B2C_POLICY ?? "B2C_1_susi";
// Where the tenant sends the browser back: b2cemu's token viewer by default; against a real
// tenant, an application's registered redirect URI (https://jwt.ms, say).
const redirectUri = process.env.B2C_REDIRECT_URI;

/** The authorize URL of the user flow, as an app would send it (prompt=login: always the pages). */
export function authorizeUrl(baseURL: string): string {
  const q = new URLSearchParams({
    client_id: clientId,
    redirect_uri: redirectUri ?? new URL("/jwt", baseURL).href,
    response_type: "id_token",
    response_mode: "form_post",
    scope: "openid",
    nonce: "playwright",
    prompt: "login",
  });
  return `/${tenant}/${policy}/oauth2/v2.0/authorize?${q}`;
}

/** A fresh address in an allowed domain of the demo connector. */
export function uniqueEmail(prefix: string): string {
  return `${prefix}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@fabrikam.com`;
}

/** The claims the token viewer shows, by name. */
export async function tokenClaims(page: Page): Promise<Record<string, string>> {
  await expect(page.locator("#signature")).toHaveText(/Signature verified/);
  const claims: Record<string, string> = {};
  for (const row of await page.locator("#claims tbody tr").all()) {
    claims[(await row.getAttribute("data-claim")) ?? ""] = (await row.locator("td").nth(1).innerText()).trim();
  }
  return claims;
}

/**
 * The emulator's stand-in for a social identity provider (there is no such page in a real
 * tenant: there the provider's own sign-in page comes here).
 */
export async function signInAtFakeProvider(page: Page, email: string, displayName: string) {
  await page.locator("details.custom-identity summary").click();
  await page.locator("#idp_email").fill(email);
  await page.locator("#idp_displayName").fill(displayName);
  await page.locator("#idp_signin").click();
}

/**
 * Verifies the email on a sign-up page as a user would: send the code, read it, type it in.
 * b2cemu keeps the mail in its outbox (GET /_emulator/emails); against a real tenant a suite
 * reads a test mailbox here instead.
 */
export async function verifyEmail(page: Page, request: APIRequestContext, base: string, email: string) {
  await expect(page.locator("#continue")).toBeDisabled(); // until the email is verified
  await page.locator("#email").fill(email);
  await page.locator("#email_ver_but_send").click();
  await expect(page.locator("#email_info")).toHaveText("Verification code has been sent to your inbox. Please copy it to the input box below.");
  const outbox = await (await request.get(`${base}/_emulator/emails?to=${encodeURIComponent(email)}`)).json();
  await page.locator("#email_ver_input").fill(outbox.emails[0].code);
  await page.locator("#email_ver_but_verify").click();
  await expect(page.locator("#email_info")).toHaveText("E-mail address verified. You can now continue.");
  await expect(page.locator("#continue")).toBeEnabled();
}
