// Package clients holds the client matrix: tests in which real OIDC client libraries
// (@azure/msal-node, openid-client, go-oidc with x/oauth2, oauth2-proxy) sign up against
// b2cemu as their B2C guides configure them. The Node scripts live in testdata/node.
package clients
