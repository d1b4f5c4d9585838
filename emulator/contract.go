package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/b2cemu/b2cemu/emulator/config"
	"github.com/b2cemu/b2cemu/emulator/connector"
	"github.com/b2cemu/b2cemu/flows"
)

// ContractTest is what `b2cemu connector test` checks.
type ContractTest struct {
	Connector string       // the connector's name
	Steps     []flows.Step // nil = the steps user flows use it at (all three when none)
	Claims    []byte       // optional JSON object of claim values over the samples
	Local     bool         // a local account (no PostFederationSignup) instead of a federated one
	BaseURL   string       // where a running b2cemu serves a connector given as a path
}

// sampleValues are the claim values sent when no fixture says otherwise.
var sampleValues = flows.Claims{
	"email": "jane.doe@fabrikam.com", "displayName": "Jane Doe", "givenName": "Jane", "surname": "Doe",
	"jobTitle": "Engineer", "streetAddress": "1 Main Street", "city": "Redmond", "postalCode": "98052",
	"state": "WA", "country": "United States",
}

// TestConnector sends each step's request to the connector as B2C would, writes what was
// sent and received with the verdict and diagnostics to out, and reports whether every
// response would pass in B2C. An error means the test could not run.
func TestConnector(ctx context.Context, cfg *config.Config, ct ContractTest, out io.Writer) (bool, error) {
	var found *config.APIConnector
	var names []string
	for i := range cfg.APIConnectors {
		names = append(names, cfg.APIConnectors[i].Name)
		if cfg.APIConnectors[i].Name == ct.Connector {
			found = &cfg.APIConnectors[i]
		}
	}
	if found == nil {
		return false, fmt.Errorf("no API connector named %q in the configuration; use one of: %s", ct.Connector, strings.Join(names, ", "))
	}
	if strings.HasPrefix(found.EndpointURL, "/") && ct.BaseURL == "" {
		return false, fmt.Errorf("the connector's endpointUrl %q is a path on b2cemu itself; start b2cemu and pass its URL with --base-url", connector.Redact(found.EndpointURL))
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	eps, _, err := endpoints(cfg, strings.TrimRight(ct.BaseURL, "/"), time.Now, log)
	if err != nil {
		return false, err
	}
	schema := schemaOf(cfg)
	values, err := claimValues(schema, cfg.Tenant.ExtensionsAppID, ct.Claims)
	if err != nil {
		return false, err
	}
	steps := ct.Steps
	if steps == nil {
		steps = usedAt(cfg, ct.Connector)
	}
	client := &connector.Client{Schema: schema, Endpoints: eps, Wire: wire(cfg)}
	identity := flows.Identity{SignInType: "federated", Issuer: "facebook.com", IssuerAssignedID: "sample-subject-0001"}
	if len(cfg.IdentityProviders) > 0 {
		identity.Issuer = cfg.IdentityProviders[0].ID
	}
	if ct.Local {
		identity = flows.Identity{SignInType: "emailAddress", Issuer: cfg.Tenant.Name + ".onmicrosoft.com", IssuerAssignedID: values.String("email")}
	}
	clientID := "00000000-0000-0000-0000-000000000000"
	if len(cfg.Applications) > 0 {
		clientID = cfg.Applications[0].ClientID
	}
	ok := true
	for _, step := range steps {
		if step == flows.PostFederationSignup && ct.Local {
			fmt.Fprintf(out, "== %s: skipped (B2C never calls it for local accounts)\n\n", step)
			continue
		}
		req := flows.ConnectorRequest{RunID: "contract-test", Connector: ct.Connector, Step: step, Identities: []flows.Identity{identity},
			ClientID: clientID, UILocales: "en-US", Claims: stepClaims(step, values)}
		if step == flows.PreTokenIssuance {
			req.ObjectID = "5f8a1c2e-3b4d-4e6f-8a9b-0c1d2e3f4a5b"
		}
		call := client.Do(ctx, connector.Call{Connector: req.Connector, Step: step, RunID: req.RunID, Request: string(client.Wire.Body(schema, req))})
		report(out, call)
		ok = ok && call.Outcome != "failure"
	}
	return ok, nil
}

// stepClaims is what a step carries: the identity provider's claims at PostFederationSignup,
// everything after the attribute page.
func stepClaims(step flows.Step, values flows.Claims) flows.Claims {
	if step != flows.PostFederationSignup {
		return values
	}
	idp := flows.Claims{}
	for _, k := range []string{"email", "displayName", "givenName", "surname"} {
		if v, ok := values[k]; ok {
			idp[k] = v
		}
	}
	return idp
}

// usedAt lists the steps where user flows call the connector, or all three.
func usedAt(cfg *config.Config, name string) []flows.Step {
	seen := map[flows.Step]bool{}
	for _, f := range cfg.UserFlows {
		for step, n := range definition(f).Connectors {
			if n == name {
				seen[step] = true
			}
		}
	}
	var steps []flows.Step
	for _, s := range []flows.Step{flows.PostFederationSignup, flows.PostAttributeCollection, flows.PreTokenIssuance} {
		if seen[s] || len(seen) == 0 {
			steps = append(steps, s)
		}
	}
	return steps
}

// claimValues are the samples for every attribute, overridden by the fixture's values (keys
// as in a request: Graph names, extension_<appId>_<Name> or extension_<Name>, or the bare
// custom name).
func claimValues(schema flows.Schema, appID string, fixture []byte) (flows.Claims, error) {
	values := sampleValues.Clone()
	for _, a := range schema.All() {
		if !a.Custom {
			continue
		}
		switch a.DataType {
		case flows.Int:
			values[a.Name] = int64(42)
		case flows.Boolean:
			values[a.Name] = true
		default:
			values[a.Name] = "sample " + a.Name
		}
	}
	if len(fixture) == 0 {
		return values, nil
	}
	dec := json.NewDecoder(bytes.NewReader(fixture))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("the claims file is not a JSON object: %w", err)
	}
	prefix := "extension_" + strings.ReplaceAll(appID, "-", "") + "_"
	for k, v := range raw {
		name := strings.TrimPrefix(strings.TrimPrefix(k, prefix), "extension_")
		a, ok := schema.Lookup(name)
		if !ok {
			return nil, fmt.Errorf("the claims file names %q, which is not an attribute of the tenant", k)
		}
		switch {
		case v == nil:
			delete(values, a.Name)
		case a.DataType == flows.Int:
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

func report(out io.Writer, call connector.Call) {
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
	case string(flows.Continue):
		claims, _ := json.Marshal(call.Claims)
		fmt.Fprintf(out, "verdict: ok: Continue with claims %s\n", claims)
	default:
		fmt.Fprintf(out, "verdict: ok: %s with userMessage %q\n", call.Outcome, call.UserMessage)
	}
	for _, w := range call.Warnings {
		fmt.Fprintf(out, "warning: %s\n", w)
	}
	fmt.Fprintln(out)
}
