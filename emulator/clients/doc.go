// Package clients holds the client matrix: tests in which real OIDC client libraries
// (@azure/msal-node, @azure/msal-browser and oidc-client-ts in Chromium, openid-client, go-oidc
// with x/oauth2, oauth2-proxy) sign up against b2cemu as their B2C guides configure them. The
// Node scripts and packages live in testdata/node, the single-page apps in testdata/browser.
package clients
