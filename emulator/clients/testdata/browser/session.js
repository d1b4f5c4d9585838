// msal-browser as a single-page app uses it after the sign-in: loginPopup, acquireTokenSilent
// forced through the refresh token (CacheLookupPolicy.RefreshToken) and through the hidden
// iframe (CacheLookupPolicy.Skip), logoutRedirect, and ssoSilent to see whether a session
// remains. The test calls these steps; each answers a plain object for it to check.
const app = (() => {
  const api = (cfg) => [cfg.apiScope];
  let pca, cfg, popup;
  const ready = (async () => {
    cfg = await (await fetch("/config.json")).json();
    pca = new msal.PublicClientApplication({
      auth: { clientId: cfg.clientId, authority: cfg.authority, knownAuthorities: [cfg.knownAuthority], redirectUri: location.origin + "/redirect.html" },
      cache: { cacheLocation: "sessionStorage" },
    });
    await pca.initialize();
    await pca.handleRedirectPromise(); // on every load, as MSAL asks: here it ends the sign-out
  })();
  const failure = (err) => ({ error: String(err && (err.errorCode || err.name)), message: String(err && (err.errorMessage || err.message)), interactionRequired: err instanceof msal.InteractionRequiredAuthError });
  const tokens = (r) => ({ idToken: r.idToken, accessToken: r.accessToken, fromCache: r.fromCache, scopes: r.scopes });
  const account = () => pca.getAllAccounts()[0];
  const silent = (policy) => pca.acquireTokenSilent({ account: account(), scopes: api(cfg), cacheLookupPolicy: policy }).then(tokens, failure);
  return {
    ready,
    // popup starts on a click, as browsers want; popupResult waits for its end.
    popup: () => { popup = ready.then(() => pca.loginPopup({ scopes: ["openid", "offline_access"] })).then(tokens, failure); },
    popupResult: () => popup,
    refresh: () => silent(msal.CacheLookupPolicy.RefreshToken),
    iframe: () => silent(msal.CacheLookupPolicy.Skip),
    logout: () => pca.logoutRedirect({ account: account(), postLogoutRedirectUri: location.origin + "/session.html" }),
    accounts: () => pca.getAllAccounts().length,
    sso: () => pca.ssoSilent({ scopes: ["openid"] }).then(tokens, failure),
  };
})();
