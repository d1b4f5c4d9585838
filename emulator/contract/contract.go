// Package contract is `b2cemu connector test`: it sends an API connector the requests B2C
// would send it, through the client b2cemu's flows use, and reports whether each answer keeps
// B2C's API connector contract, with the diagnostics of the call inspector.
package contract

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/b2cemu/b2cemu/emulator"
	"github.com/b2cemu/b2cemu/emulator/config"
	"github.com/b2cemu/b2cemu/emulator/connector"
	"github.com/b2cemu/b2cemu/flows/apiconnector"
	"github.com/b2cemu/b2cemu/flows/attributes"
	"github.com/b2cemu/b2cemu/flows/engine"
)

// Options say what Check sends.
type Options struct {
	Connector string              // the connector's name; with Flow, optional (the flow's connectors)
	Steps     []apiconnector.Step // nil = the steps user flows use it at (all three when none)
	Claims    []byte              // optional JSON object of claim values over the samples
	Local     bool                // a local account (no PostFederationSignup) instead of a federated one
	BaseURL   string              // where a running b2cemu serves a connector given as a path
	// Flow, when set, is a user flow id: Check then sends what that flow sends, running its
	// sign-up path (see flow.go).
	Flow      string
	IdP       string // with Flow: the identity provider, "email" for a local account (default: the flow's first social one)
	Account   string // with Flow: the provider's fixture account (default: its first)
	ClientID  string // with Flow: the application (default: the first registered)
	UILocales string // with Flow: ui_locales (default en-US, as without ui_locales and Accept-Language)
}

// sampleValues are the claim values sent when no fixture says otherwise.
var sampleValues = engine.Claims{
	"email": "jane.doe@fabrikam.com", "displayName": "Jane Doe", "givenName": "Jane", "surname": "Doe",
	"jobTitle": "Engineer", "streetAddress": "1 Main Street", "city": "Redmond", "postalCode": "98052",
	"state": "WA", "country": "United States",
}

// sampleObjectID is the object id of the user the requests are about.
const sampleObjectID = "5f8a1c2e-3b4d-4e6f-8a9b-0c1d2e3f4a5b"

// Check sends each step's request to the connector as B2C would, writes what was sent and
// received with the verdict, warnings and diagnostics to out, and reports whether every
// response would pass in B2C. An error means the check could not run.
func Check(ctx context.Context, cfg *config.Config, o Options, out io.Writer) (bool, error) {
	if o.Connector != "" {
		if err := knownConnector(cfg, o.Connector); err != nil {
			return false, err
		}
	}
	client, err := emulator.ConnectorClient(cfg, strings.TrimRight(o.BaseURL, "/"), time.Now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return false, err
	}
	if o.Flow != "" {
		return checkFlow(ctx, cfg, o, client, out)
	}
	if o.Connector == "" {
		return false, fmt.Errorf("name the connector to test (--connector), or a user flow (--flow)")
	}
	return checkSamples(ctx, cfg, o, client, out)
}

// knownConnector checks that name is a configured connector that can be called from here.
func knownConnector(cfg *config.Config, name string) error {
	var names []string
	for _, a := range cfg.APIConnectors {
		if a.Name == name {
			return nil
		}
		names = append(names, a.Name)
	}
	return fmt.Errorf("no API connector named %q in the configuration%s; use one of: %s", name, didYouMean(name, names), strings.Join(names, ", "))
}

// baseURLNeeded refuses a connector on b2cemu itself without the URL of a running b2cemu.
func baseURLNeeded(cfg *config.Config, name, base string) error {
	for _, a := range cfg.APIConnectors {
		if a.Name == name && strings.HasPrefix(a.EndpointURL, "/") && base == "" {
			return fmt.Errorf("the connector's endpointUrl %q is a path on b2cemu itself; start b2cemu and pass its URL with --base-url", connector.Redact(a.EndpointURL))
		}
	}
	return nil
}

// checkSamples sends the generic requests: sample values of every attribute of the tenant,
// a federated identity of the first provider (or a local one), the first application.
func checkSamples(ctx context.Context, cfg *config.Config, o Options, client *connector.Client, out io.Writer) (bool, error) {
	if err := baseURLNeeded(cfg, o.Connector, o.BaseURL); err != nil {
		return false, err
	}
	values, err := claimValues(client.Schema, cfg.Tenant.ExtensionsAppID, o.Claims)
	if err != nil {
		return false, err
	}
	steps := o.Steps
	if steps == nil {
		steps = usedAt(cfg, o.Connector)
	}
	identity := engine.Identity{SignInType: "federated", Issuer: "facebook.com", IssuerAssignedID: "sample-subject-0001"}
	if len(cfg.IdentityProviders) > 0 {
		identity.Issuer = cfg.IdentityProviders[0].ID
	}
	if o.Local {
		identity = engine.Identity{SignInType: "emailAddress", Issuer: cfg.Tenant.Name + ".onmicrosoft.com", IssuerAssignedID: values.String("email")}
	}
	ok := true
	for _, step := range steps {
		if step == apiconnector.PostFederationSignup && o.Local {
			fmt.Fprintf(out, "== %s: skipped (B2C never calls it for local accounts)\n\n", step)
			continue
		}
		req := apiconnector.Request{RunID: "contract-test", Connector: o.Connector, Step: step, Identities: []engine.Identity{identity},
			ClientID: firstClientID(cfg), UILocales: "en-US", Claims: stepClaims(step, values)}
		if step == apiconnector.PreTokenIssuance {
			req.ObjectID = sampleObjectID
		}
		call := client.Do(ctx, connector.Call{Connector: req.Connector, Step: step, RunID: req.RunID, Request: string(client.Wire.Body(client.Schema, req))})
		report(out, call, claimAdvice(call, client.Schema, cfg.Tenant.ExtensionsAppID, nil))
		ok = ok && call.Outcome != "failure"
	}
	return ok, nil
}

// firstClientID is the first registered application's client id.
func firstClientID(cfg *config.Config) string {
	if len(cfg.Applications) > 0 {
		return cfg.Applications[0].ClientID
	}
	return "00000000-0000-0000-0000-000000000000"
}

// stepClaims is what a step carries: the identity provider's claims at PostFederationSignup,
// everything after the attribute page.
func stepClaims(step apiconnector.Step, values engine.Claims) engine.Claims {
	if step != apiconnector.PostFederationSignup {
		return values
	}
	idp := engine.Claims{}
	for _, k := range []string{"email", "displayName", "givenName", "surname"} {
		if v, ok := values[k]; ok {
			idp[k] = v
		}
	}
	return idp
}

// usedAt lists the steps where user flows call the connector, or all three.
func usedAt(cfg *config.Config, name string) []apiconnector.Step {
	seen := map[apiconnector.Step]bool{}
	for _, f := range cfg.UserFlows {
		for step, n := range emulator.Definition(f).Connectors {
			if n == name {
				seen[step] = true
			}
		}
	}
	var steps []apiconnector.Step
	for _, s := range allSteps {
		if seen[s] || len(seen) == 0 {
			steps = append(steps, s)
		}
	}
	return steps
}

// allSteps are the steps in the order a sign-up reaches them.
var allSteps = []apiconnector.Step{apiconnector.PostFederationSignup, apiconnector.PostAttributeCollection, apiconnector.PreTokenIssuance}

// claimValues are the samples for every attribute, overridden by the fixture's values (keys
// as in a request: Graph names, extension_<appId>_<Name> or extension_<Name>, or the bare
// custom name).
func claimValues(schema attributes.Schema, appID string, fixture []byte) (engine.Claims, error) {
	values := sampleValues.Clone()
	for _, a := range schema.All() {
		if a.Custom {
			values[a.Name] = sampleOf(a)
		}
	}
	raw, err := fixtureClaims(schema, appID, fixture)
	if err != nil {
		return nil, err
	}
	for k, v := range raw {
		if v == nil {
			delete(values, k)
		} else {
			values[k] = v
		}
	}
	return values, nil
}

// sampleOf is a custom attribute's sample value.
func sampleOf(a attributes.Attribute) any {
	switch a.DataType {
	case attributes.Int:
		return int64(42)
	case attributes.Boolean:
		return true
	}
	return "sample " + a.Name
}

// fixtureClaims reads the claims file: a JSON object of values by attribute name (nil: no
// value), its keys as in a request.
func fixtureClaims(schema attributes.Schema, appID string, fixture []byte) (engine.Claims, error) {
	if len(fixture) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(fixture))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("the claims file is not a JSON object: %w", err)
	}
	prefix := "extension_" + strings.ReplaceAll(appID, "-", "") + "_"
	values := engine.Claims{}
	for k, v := range raw {
		name := strings.TrimPrefix(strings.TrimPrefix(k, prefix), "extension_")
		a, ok := schema.Lookup(name)
		if !ok {
			return nil, fmt.Errorf("the claims file names %q, which is not an attribute of the tenant%s", k, didYouMean(k, requestNames(schema)))
		}
		switch {
		case v == nil:
			values[a.Name] = nil
		case a.DataType == attributes.Int:
			n, err := v.(json.Number).Int64()
			if err != nil {
				return nil, fmt.Errorf("the claims file gives %q the value %v; it is an int attribute", k, v)
			}
			values[a.Name] = n
		default:
			values[a.Name] = v
		}
	}
	return values, nil
}

// report writes one call: the request, each attempt, the verdict, the warnings (more, when
// given: the flow's own advice) and the diagnostic.
func report(out io.Writer, call connector.Call, more []string) {
	fmt.Fprintf(out, "== %s → %s\nPOST %s\n", call.Step, call.Connector, call.URL)
	var pretty bytes.Buffer
	if json.Indent(&pretty, []byte(call.Request), "", "  ") == nil {
		fmt.Fprintf(out, "%s\n", pretty.String())
	}
	for i, a := range call.Attempts {
		if a.Error != "" {
			fmt.Fprintf(out, "attempt %d: %s (%.1f ms)\n", i+1, a.Error, a.LatencyMs)
			continue
		}
		body, n := connector.ShowBytes(strings.TrimSpace(a.Body))
		fmt.Fprintf(out, "attempt %d: HTTP %d (%.1f ms)\n%s\n", i+1, a.Status, a.LatencyMs, body)
		if n > 0 {
			fmt.Fprintln(out, connector.BytesNote(n))
		}
	}
	switch call.Outcome {
	case "failure":
		fmt.Fprintf(out, "verdict: FAIL: B2C would treat this call as failed and show: %s\n", call.Result.Failure.Message)
		fmt.Fprintf(out, "diagnostic: %s\n", call.Diagnostic)
	case string(apiconnector.Continue):
		claims, _ := json.Marshal(call.Claims)
		fmt.Fprintf(out, "verdict: ok: Continue with claims %s\n", claims)
	default:
		fmt.Fprintf(out, "verdict: ok: %s with userMessage %q\n", call.Outcome, call.UserMessage)
	}
	for _, w := range append(append([]string(nil), call.Warnings...), more...) {
		fmt.Fprintf(out, "warning: %s\n", w)
	}
	fmt.Fprintln(out)
}
