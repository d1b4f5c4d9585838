// Package flows is the user-flow engine of b2cemu: user-flow definitions and the Machine that
// advances a run (flows/engine) from one step to the next. It performs effects only through
// small interfaces (apiconnector.Connector, directory.Directory) and imports nothing but the
// standard library and its own subpackages, so a flow can be run in a table test with no HTTP
// server.
//
// The sign-up path of a user flow, as Azure AD B2C runs it:
//
//	PhaseSignIn ──ChooseProvider(social)──▶ PhaseIdP ──SignInFederated──┐
//	    │                                                              │ known identity: sign in
//	    │ StartSignUp / ChooseProvider(email)                          ▼ new identity: sign up
//	    ▼                                            connector PostFederationSignup
//	PhaseLocalSignUp                                 (Continue pre-fills, ShowBlockPage blocks)
//	    │ SubmitSignUp                                                 │
//	    │                                                              ▼
//	    │                                                      PhaseAttributes
//	    │                                                              │ SubmitAttributes
//	    ▼                                                              ▼
//	connector PostAttributeCollection (Continue overrides, ShowBlockPage blocks,
//	ValidationError stays on the page with the values kept)
//	    │ user written to the Directory
//	    ▼
//	PhaseMFA, when the flow's MFA asks (mfa.go; also after a sign-in)
//	    ▼
//	connector PreTokenIssuance (sign-in and sign-up; Continue adds token-only claims)
//	    ▼
//	PhaseDone (token claims ready)   or PhaseBlocked, PhaseFailed, PhaseCancelled
//
// Local sign-in (PhaseSignIn + SignInLocal) and a returning federated identity skip the
// sign-up connectors and go straight to the token step. A sign-in user flow has only that
// path (an unknown social identity fails with AADB2C99002); the password reset and profile
// editing flows are in types.go.
//
// The run, its page model, the inputs and the failure type are the contract in flows/engine,
// which the custom-policy journey stands on too. What both engines use besides the run has a
// room of its own beside it, so the journey never imports this package: flows/directory (the
// user store's contract and its errors), flows/codes (verification codes, the second factor,
// the outbox records), flows/attributes (the attribute schema and its checks) and
// flows/apiconnector (the API connector contract). After Start and every Advance, the Machine
// describes the page the run is on in Run.Page (page.go), from which the web layer draws
// every page of both engines; its own state between requests (the email check, the second
// factor) is in Run.State (state.go).
package flows
