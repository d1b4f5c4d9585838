// The app's script: ssoSilent before any session (InteractionRequiredAuthError), loginRedirect,
// then acquireTokenSilent for an API scope the sign-in did not ask for and ssoSilent with the
// session. It posts what it saw to /result. Settings come from /config.json.
(async () => {
  const report = (body) => fetch("/result", { method: "POST", body: JSON.stringify(body) });
  try {
    const cfg = await (await fetch("/config.json")).json();
    const pca = new msal.PublicClientApplication({
      auth: { clientId: cfg.clientId, authority: cfg.authority, knownAuthorities: [cfg.knownAuthority], redirectUri: location.origin + "/redirect.html" },
      cache: { cacheLocation: "sessionStorage" },
    });
    await pca.initialize();
    const back = await pca.handleRedirectPromise();
    if (!back) {
      let before = "";
      try {
        await pca.ssoSilent({ scopes: ["openid"] });
        before = "ssoSilent without a session succeeded";
      } catch (err) {
        before = `${err instanceof msal.InteractionRequiredAuthError} ${err.errorCode} ${err.errorMessage}`;
      }
      sessionStorage.setItem("before", before);
      await pca.loginRedirect({ scopes: ["openid", "offline_access"] });
      return;
    }
    const api = await pca.acquireTokenSilent({ account: back.account, scopes: [cfg.apiScope] });
    const sso = await pca.ssoSilent({ scopes: ["openid"], account: back.account });
    await report({
      before: sessionStorage.getItem("before"),
      idTokenClaims: back.idTokenClaims,
      apiAccessToken: api.accessToken,
      apiFromCache: api.fromCache,
      ssoIdToken: sso.idToken,
      loginIdToken: back.idToken,
    });
  } catch (err) {
    await report({ error: String(err && (err.errorCode || err.name)), message: String(err && (err.errorMessage || err.message)) });
  }
})();
