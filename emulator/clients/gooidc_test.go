package clients_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/b2cemu/b2cemu/emulator/emulatortest"
)

// TestGoOIDC signs up with go-oidc and x/oauth2 configured as B2C apps do: the provider from
// the policy URL with the B2C issuer allowed, a verifier that checks the issuer, audience and
// signature, and PKCE; then a refresh and the refusals.
func TestGoOIDC(t *testing.T) {
	srv := emulatortest.Start(t, tenant)
	ctx := oidc.ClientContext(context.Background(), srv.Client)
	issuer := srv.URL + "/" + tenantID + "/v2.0/"
	provider, err := oidc.NewProvider(oidc.InsecureIssuerURLContext(ctx, issuer), srv.URL+"/contoso.onmicrosoft.com/B2C_1_susi/v2.0")
	if err != nil {
		t.Fatal(err)
	}
	conf := &oauth2.Config{ClientID: webClient, ClientSecret: "web-secret", Endpoint: provider.Endpoint(), RedirectURL: callback,
		Scopes: []string{oidc.ScopeOpenID, oidc.ScopeOfflineAccess, webClient}}
	verifier := provider.Verifier(&oidc.Config{ClientID: webClient})
	pkceVerifier := oauth2.GenerateVerifier()

	login := func(t *testing.T, opts ...oauth2.AuthCodeOption) string {
		t.Helper()
		loc := signUp(t, srv, conf.AuthCodeURL("st", append(opts, oauth2.S256ChallengeOption(pkceVerifier), oidc.Nonce("go-nonce"))...))
		if loc.Query().Get("state") != "st" {
			t.Fatalf("state lost: %s", loc)
		}
		return loc.Query().Get("code")
	}

	code := login(t)
	// A wrong secret is refused (x/oauth2 tries Basic, then the form) and leaves the code usable.
	wrong := *conf
	wrong.ClientSecret = "nope"
	if _, err := wrong.Exchange(ctx, code, oauth2.VerifierOption(pkceVerifier)); !isB2C(err, "AADB2C90081") {
		t.Errorf("wrong secret: %v", err)
	}
	tok, err := conf.Exchange(ctx, code, oauth2.VerifierOption(pkceVerifier))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idTok, err := verifier.Verify(ctx, raw)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	var claims struct {
		Name   string   `json:"name"`
		Emails []string `json:"emails"`
		TFP    string   `json:"tfp"`
		AtHash string   `json:"at_hash"`
	}
	idTok.Claims(&claims)
	if idTok.Nonce != "go-nonce" || claims.Name != "Lee Park" || claims.TFP != "b2c_1_susi" || idTok.Subject == "" {
		t.Errorf("claims: nonce %q %+v", idTok.Nonce, claims)
	}
	if err := idTok.VerifyAccessToken(tok.AccessToken); err != nil {
		t.Errorf("at_hash: %v", err)
	}
	if _, err := conf.Exchange(ctx, code, oauth2.VerifierOption(pkceVerifier)); !isB2C(err, "AADB2C90080") {
		t.Errorf("a reused code: %v", err)
	}

	// Refresh with the refresh token alone.
	refreshed, err := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	if err != nil {
		t.Fatal(err)
	}
	if refreshed.RefreshToken == tok.RefreshToken || refreshed.AccessToken == "" {
		t.Error("the refresh token was not rotated")
	}
	rid, err := verifier.Verify(ctx, refreshed.Extra("id_token").(string))
	if err != nil || rid.Subject != idTok.Subject {
		t.Errorf("refreshed id token: %v", err)
	}
	if _, err := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); !isB2C(err, "AADB2C90080") {
		t.Errorf("a used refresh token: %v", err)
	}

	// A wrong PKCE verifier.
	code = signUp(t, srv, conf.AuthCodeURL("st", oauth2.S256ChallengeOption(pkceVerifier))).Query().Get("code")
	if _, err := conf.Exchange(ctx, code, oauth2.VerifierOption(oauth2.GenerateVerifier())); !isB2C(err, "AADB2C90183") {
		t.Errorf("a wrong verifier: %v", err)
	}

	// An unregistered redirect URI is shown, never redirected to.
	bad := *conf
	bad.RedirectURL = "http://localhost:3000/elsewhere"
	page := srv.NewBrowser(t).Get(bad.AuthCodeURL("st"))
	if page.Location != nil || page.Text("#errorCode") != "AADB2C90006" {
		t.Errorf("unregistered redirect URI: %v\n%s", page.Location, page.Body)
	}
}

// isB2C reports whether err is an OAuth error whose description carries code.
func isB2C(err error, code string) bool {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return false
	}
	desc := re.ErrorDescription
	if desc == "" {
		desc = string(re.Body)
	}
	return strings.HasPrefix(desc, code) || strings.Contains(desc, `"`+code)
}
