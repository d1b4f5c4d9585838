// @azure/msal-node as its B2C guide configures it: a confidential client, an https authority
// https://<host>/<tenant>.onmicrosoft.com/<policy>, knownAuthorities, auth code with PKCE, then a
// silent refresh. Environment: AUTHORITY, KNOWN_AUTHORITY, CLIENT_ID, CLIENT_SECRET,
// REDIRECT_URI, SCOPE (and NODE_EXTRA_CA_CERTS for the emulator's development CA).
import * as msal from "@azure/msal-node";
import { send, readLine, main } from "./lines.mjs";

const env = process.env;
const app = (secret) =>
  new msal.ConfidentialClientApplication({
    auth: { clientId: env.CLIENT_ID, authority: env.AUTHORITY, clientSecret: secret, knownAuthorities: [env.KNOWN_AUTHORITY] },
  });

await main(async () => {
  const cca = app(env.CLIENT_SECRET);
  const pkce = await new msal.CryptoProvider().generatePkceCodes();
  const nonce = "msal-nonce-" + Date.now();
  const state = "msal-state";
  const scopes = [env.SCOPE];
  const url = await cca.getAuthCodeUrl({ scopes, redirectUri: env.REDIRECT_URI, codeChallenge: pkce.challenge, codeChallengeMethod: "S256", nonce, state });
  send({ url });
  const callback = new URL(await readLine());
  const code = callback.searchParams.get("code");
  if (!code) throw new Error("no code in " + callback);

  // A wrong secret is refused and must not burn the code.
  let wrongSecret = "";
  try {
    await app("wrong-secret").acquireTokenByCode({ code, scopes, redirectUri: env.REDIRECT_URI, codeVerifier: pkce.verifier, nonce, state });
  } catch (err) {
    wrongSecret = String(err.errorMessage || err.message);
  }
  const result = await cca.acquireTokenByCode({ code, scopes, redirectUri: env.REDIRECT_URI, codeVerifier: pkce.verifier, nonce, state });
  const refreshed = await cca.acquireTokenSilent({ account: result.account, scopes, forceRefresh: true });
  // A scope the sign-in did not ask for: the refresh token is redeemed for it.
  const other = await cca.acquireTokenSilent({ account: result.account, scopes: [env.SCOPE.replace(/tasks\.read$/, "tasks.write")] });
  send({
    wrongSecret,
    idToken: result.idToken,
    idTokenClaims: result.idTokenClaims,
    accessToken: result.accessToken,
    homeAccountId: result.account.homeAccountId,
    username: result.account.username,
    refreshedIdToken: refreshed.idToken,
    refreshedAccessToken: refreshed.accessToken,
    refreshedFromCache: refreshed.fromCache,
    apiAccessToken: other.accessToken,
  });
});
