// openid-client as its maintainer advises for B2C: discovery by the full well-known URL (no
// issuer comparison), then signature, issuer, audience, nonce and state checks, auth code with
// PKCE, and a refresh. Environment: WELL_KNOWN, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, SCOPE.
import * as client from "openid-client";
import { send, readLine, main } from "./lines.mjs";

const env = process.env;

await main(async () => {
  const config = await client.discovery(new URL(env.WELL_KNOWN), env.CLIENT_ID, env.CLIENT_SECRET);
  client.enableNonRepudiationChecks(config); // verify id token signatures against jwks_uri
  const verifier = client.randomPKCECodeVerifier();
  const nonce = client.randomNonce();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: env.REDIRECT_URI,
    scope: env.SCOPE,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    nonce,
    state,
  });
  send({ url: url.href });
  const callback = new URL(await readLine());
  const tokens = await client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: verifier,
    expectedNonce: nonce,
    expectedState: state,
    idTokenExpected: true,
  });
  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
  send({
    issuer: config.serverMetadata().issuer,
    claims: tokens.claims(),
    accessToken: tokens.access_token,
    refreshClaims: refreshed.claims(),
    refreshTokenRotated: refreshed.refresh_token !== tokens.refresh_token,
  });
});
