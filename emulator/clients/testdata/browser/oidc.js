// oidc-client-ts against a B2C policy: the authority is the policy's v2.0 URL, code flow with
// PKCE, and offline_access plus an API scope so the token endpoint answers a refresh token and
// an access token. On the app's page it finishes a sign-in or sign-out that returns here; in
// the silent-renew iframe it hands the answer to the app. The test calls the steps in app.
const app = (() => {
  let mgr;
  const ready = (async () => {
    const cfg = await (await fetch("/config.json")).json();
    mgr = new oidc.UserManager({
      authority: cfg.authority,
      client_id: cfg.clientId,
      redirect_uri: location.origin + "/oidc.html",
      silent_redirect_uri: location.origin + "/oidc-silent.html",
      post_logout_redirect_uri: location.origin + "/oidc.html",
      response_type: "code",
      scope: "openid offline_access " + cfg.apiScope,
      automaticSilentRenew: false,
      userStore: new oidc.WebStorageStateStore({ store: window.sessionStorage }),
    });
    if (location.pathname === "/oidc-silent.html") {
      await mgr.signinSilentCallback();
      return;
    }
    const q = new URLSearchParams(location.search);
    if (q.has("code") || q.has("error")) {
      await mgr.signinRedirectCallback();
      history.replaceState(null, "", location.pathname);
    } else if (q.has("state")) {
      await mgr.signoutRedirectCallback();
      history.replaceState(null, "", location.pathname);
    }
  })();
  const failure = (err) => ({ error: String(err && (err.error || err.name)), message: String(err && (err.error_description || err.message)) });
  const tokens = (u) => u ? { idToken: u.id_token, accessToken: u.access_token, refreshToken: u.refresh_token || "", profile: u.profile } : { error: "no user" };
  const run = (f) => ready.then(f).then(tokens, failure);
  return {
    ready: () => ready.then(() => ({}), failure),
    signin: () => ready.then(() => mgr.signinRedirect()),
    user: () => run(() => mgr.getUser()),
    // With a refresh token in the store, signinSilent redeems it at the token endpoint.
    refresh: () => run(() => mgr.signinSilent()),
    // Without one (here dropped from the store), signinSilent opens silent_redirect_uri in a
    // hidden iframe with prompt=none: the SSO session decides.
    iframe: () => run(async () => {
      const user = await mgr.getUser();
      if (user) {
        user.refresh_token = undefined;
        await mgr.storeUser(user);
      }
      return mgr.signinSilent();
    }),
    signout: () => ready.then(() => mgr.signoutRedirect()),
  };
})();
