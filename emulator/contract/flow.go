package contract

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/b2cemu/b2cemu/emulator"
	"github.com/b2cemu/b2cemu/emulator/config"
	"github.com/b2cemu/b2cemu/emulator/connector"
	"github.com/b2cemu/b2cemu/emulator/store"
	"github.com/b2cemu/b2cemu/flows"
	"github.com/b2cemu/b2cemu/flows/apiconnector"
	"github.com/b2cemu/b2cemu/flows/attributes"
	"github.com/b2cemu/b2cemu/flows/engine"
)

// samplePassword is the local account's password: the checked requests never carry it.
const samplePassword = "Sample-Passw0rd!"

// checkFlow sends what the user flow o.Flow sends. It runs the flow's own machine, with a
// directory of its own, along the sign-up path of one identity (a sign-in flow: the sign-in
// of a user made for the check), so that every request is built by the code, and from the
// claims, of a real run: the identity provider's claims, the collected attributes, what the
// connector answered at the earlier steps. A step that is not checked answers Continue
// without a call.
func checkFlow(ctx context.Context, cfg *config.Config, o Options, client *connector.Client, out io.Writer) (bool, error) {
	def, steps, err := flowToCheck(cfg, o)
	if err != nil {
		return false, err
	}
	clientID, err := flowClient(cfg, o.ClientID)
	if err != nil {
		return false, err
	}
	fixture, err := fixtureClaims(client.Schema, cfg.Tenant.ExtensionsAppID, o.Claims)
	if err != nil {
		return false, err
	}
	who, err := identityFor(cfg, def, o, client.Schema, fixture)
	if err != nil {
		return false, err
	}
	var calls []connector.Call
	client.Observe = func(c connector.Call) { calls = append(calls, c) }
	users := store.NewUsers(0)
	m := &flows.Machine{Schema: client.Schema, Tenant: cfg.Tenant.Name, Connector: checked{client, steps}, Directory: users,
		Now: time.Now, NewID: func() string { return sampleObjectID }}
	if !def.SignsUp() {
		if err := seedUser(ctx, users, cfg, client.Schema, who, o.Claims); err != nil {
			return false, err
		}
	}
	r := m.Start(ctx, def, "connector-test", clientID, cmp.Or(o.UILocales, "en-US"))
	end, err := drive(ctx, m, def, r, who, fixture)
	if err != nil {
		return false, fmt.Errorf("running the user flow %s: %w", def.ID, err)
	}
	ok := reportCalls(out, cfg, def, client.Schema, calls, steps, who)
	fmt.Fprintf(out, "== the user flow %s: %s\n\n", def.ID, end)
	return ok, nil
}

// flowToCheck is the user flow o names, without email verification (the check types no
// code; the requests are the same), and the steps to check, each with the base URL its
// connector needs.
func flowToCheck(cfg *config.Config, o Options) (*flows.Definition, []apiconnector.Step, error) {
	f, err := findFlow(cfg, o.Flow)
	if err != nil {
		return nil, nil, err
	}
	def := emulator.Definition(f)
	def.NoEmailVerification = true
	steps, err := flowSteps(def, o)
	if err != nil {
		return nil, nil, err
	}
	for _, step := range steps {
		if err := baseURLNeeded(cfg, def.Connectors[step], o.BaseURL); err != nil {
			return nil, nil, err
		}
	}
	return def, steps, nil
}

// reportCalls reports each call, and each checked step the run did not call with the reason;
// it is false when a call failed.
func reportCalls(out io.Writer, cfg *config.Config, def *flows.Definition, schema attributes.Schema, calls []connector.Call, steps []apiconnector.Step, user who) bool {
	ok := true
	sent := map[apiconnector.Step]bool{}
	for _, c := range calls {
		report(out, c, claimAdvice(c, schema, cfg.Tenant.ExtensionsAppID, def))
		ok, sent[c.Step] = ok && c.Outcome != "failure", true
	}
	for _, step := range steps {
		switch {
		case sent[step]:
		case step == apiconnector.PostFederationSignup && user.provider == flows.LocalProvider:
			fmt.Fprintf(out, "== %s → %s: not sent (B2C never calls it for local accounts)\n\n", step, def.Connectors[step])
		default:
			fmt.Fprintf(out, "== %s → %s: not sent (the run does not reach it)\n\n", step, def.Connectors[step])
		}
	}
	return ok
}

// checked is the flow's connector during a check: the client for the steps checked, an empty
// Continue for the others.
type checked struct {
	client *connector.Client
	steps  []apiconnector.Step
}

func (c checked) Call(ctx context.Context, req apiconnector.Request) apiconnector.Result {
	if !slices.Contains(c.steps, req.Step) {
		return apiconnector.Result{Action: apiconnector.Continue}
	}
	return c.client.Call(ctx, req)
}

// findFlow is the configured user flow id names (in any case, as B2C's policy names are).
func findFlow(cfg *config.Config, id string) (config.UserFlow, error) {
	var ids []string
	for _, f := range cfg.UserFlows {
		if strings.EqualFold(f.ID, id) {
			return f, nil
		}
		ids = append(ids, f.ID)
	}
	if len(ids) == 0 {
		return config.UserFlow{}, fmt.Errorf("no user flow %q: the configuration has no userFlows", id)
	}
	return config.UserFlow{}, fmt.Errorf("no user flow %q in the configuration%s; use one of: %s", id, didYouMean(id, ids), strings.Join(ids, ", "))
}

// flowSteps are the steps of def to check: those with a connector, narrowed to o.Connector's
// and to o.Steps.
func flowSteps(def *flows.Definition, o Options) ([]apiconnector.Step, error) {
	var steps, all []apiconnector.Step
	for _, s := range allSteps {
		name := def.Connectors[s]
		if name == "" {
			continue
		}
		all = append(all, s)
		if (o.Connector == "" || name == o.Connector) && (o.Steps == nil || slices.Contains(o.Steps, s)) {
			steps = append(steps, s)
		}
	}
	if len(steps) > 0 {
		return steps, nil
	}
	if len(all) == 0 {
		return nil, fmt.Errorf("the user flow %s calls no API connector (apiConnectors is empty)", def.ID)
	}
	var used []string
	for _, s := range all {
		used = append(used, string(s)+": "+def.Connectors[s])
	}
	what := "the connector " + o.Connector
	if o.Connector == "" {
		what = "a connector"
	}
	if o.Steps != nil {
		what += " at " + string(o.Steps[0])
	}
	return nil, fmt.Errorf("the user flow %s does not call %s; it calls %s", def.ID, what, strings.Join(used, ", "))
}

// flowClient is the application the run signs in to: id, else the first registered.
func flowClient(cfg *config.Config, id string) (string, error) {
	if id == "" {
		return firstClientID(cfg), nil
	}
	var ids []string
	for _, a := range cfg.Applications {
		if strings.EqualFold(a.ClientID, id) {
			return a.ClientID, nil
		}
		ids = append(ids, a.ClientID+" ("+a.Name+")")
	}
	return "", fmt.Errorf("no application with the client id %q; use one of: %s", id, strings.Join(ids, ", "))
}

// who is the identity the check signs up: at a provider (its subject and answer) or local.
type who struct {
	provider string
	subject  string
	claims   engine.Claims // the provider's answer
	email    string        // a local account's
}

// identityFor is the identity of the check: o.IdP (default: the flow's first social provider,
// else a local account) and o.Account of it (default: its first fixture account, else a
// sample identity). The claims file's values of built-in attributes the flow does not
// collect are the provider's answer, as the fake provider's claims box gives them.
func identityFor(cfg *config.Config, def *flows.Definition, o Options, schema attributes.Schema, fixture engine.Claims) (who, error) {
	w := who{provider: o.IdP}
	switch {
	case o.Local:
		w.provider = flows.LocalProvider
	case w.provider == "" && len(def.SocialProviders()) > 0:
		w.provider = def.SocialProviders()[0]
	case w.provider == "":
		w.provider = flows.LocalProvider
	}
	if !def.Offers(w.provider) {
		return w, fmt.Errorf("the user flow %s offers no identity provider %q%s; it offers: %s", def.ID, w.provider,
			didYouMean(w.provider, def.IdentityProviders), strings.Join(def.IdentityProviders, ", "))
	}
	collected := map[string]bool{}
	for _, ua := range def.UserAttributes {
		collected[ua.Name] = true
	}
	if w.provider == flows.LocalProvider {
		w.email = sampleValues.String("email")
		if e, ok := fixture["email"].(string); ok {
			w.email = e
		}
		for k := range fixture {
			if !collected[k] && k != "email" && def.SignsUp() { // a sign-in flow's user has them all
				return w, fmt.Errorf("the claims file gives %q, which a local sign-up of %s never sends: the flow does not collect it%s", k, def.ID, didYouMean(k, collectedNames(schema, def)))
			}
		}
		return w, nil
	}
	var err error
	if w.subject, w.claims, err = account(cfg, w.provider, o.Account); err != nil {
		return w, err
	}
	for k, v := range fixture {
		a, _ := schema.Lookup(k)
		switch {
		case collected[k], a.Custom && !def.SignsUp(): // typed, or stored with the sign-in flow's user
		case a.Custom:
			return w, fmt.Errorf("the claims file gives %q, which %s never sends: the flow does not collect it, and an identity provider gives no custom attribute%s",
				wireName(a), def.ID, didYouMean(wireName(a), collectedNames(schema, def)))
		case v == nil:
			delete(w.claims, k)
		default:
			w.claims[k] = v
		}
	}
	return w, nil
}

// collectedNames are the flow's collected attributes as a request names them.
func collectedNames(schema attributes.Schema, def *flows.Definition) []string {
	var names []string
	for _, ua := range def.UserAttributes {
		if a, ok := schema.Lookup(ua.Name); ok {
			names = append(names, wireName(a))
		}
	}
	return names
}

// account is the fixture account id of provider (default: its first), as the fake identity
// provider answers for it; a provider without accounts answers with a sample identity.
func account(cfg *config.Config, provider, id string) (string, engine.Claims, error) {
	var p config.IdentityProvider
	for _, ip := range cfg.IdentityProviders {
		if ip.ID == provider {
			p = ip
		}
	}
	var ids []string
	for _, a := range p.Accounts {
		if a.IssuerAssignedID == id || id == "" {
			return a.IssuerAssignedID, emulator.AccountClaims(a), nil
		}
		ids = append(ids, a.IssuerAssignedID)
	}
	if id != "" {
		return "", nil, fmt.Errorf("the identity provider %s has no fixture account %q%s; its accounts: %s", provider, id, didYouMean(id, ids), strings.Join(ids, ", "))
	}
	sample := engine.Claims{}
	for _, k := range []string{"email", "displayName", "givenName", "surname"} {
		sample[k] = sampleValues[k]
	}
	return "sample-subject-0001", sample, nil
}

// seedUser stores the user a sign-in flow signs in: the identity, with a value for every
// attribute (the samples under the claims file's values, under the provider's answer).
func seedUser(ctx context.Context, users *store.Users, cfg *config.Config, schema attributes.Schema, w who, fixture []byte) error {
	values, err := claimValues(schema, cfg.Tenant.ExtensionsAppID, fixture)
	if err != nil {
		return err
	}
	for k, v := range w.claims {
		values[k] = v
	}
	id := engine.Identity{SignInType: "federated", Issuer: w.provider, IssuerAssignedID: w.subject}
	password := ""
	if w.provider == flows.LocalProvider {
		values["email"] = w.email
		id, password = engine.Identity{SignInType: "emailAddress", Issuer: cfg.Tenant.Name + ".onmicrosoft.com", IssuerAssignedID: w.email}, samplePassword
	}
	return users.Create(ctx, &engine.User{ObjectID: sampleObjectID, Identities: []engine.Identity{id}, Attributes: values, Created: time.Now()}, password)
}

// drive walks r to its end as a user would: the provider, the identity, then the attribute
// page with the pre-filled values kept and the rest typed (the claims file's, else samples).
// It returns how the run ended.
func drive(ctx context.Context, m *flows.Machine, def *flows.Definition, r *engine.Run, w who, fixture engine.Claims) (string, error) {
	for range 10 {
		var in engine.Input
		switch r.Phase {
		case engine.PhaseSignIn:
			switch {
			case w.provider != flows.LocalProvider:
				in = engine.ChooseProvider{Provider: w.provider}
			case def.SignsUp():
				in = engine.StartSignUp{}
			default:
				in = engine.SignInLocal{Email: w.email, Password: samplePassword}
			}
		case engine.PhaseIdP:
			in = engine.SignInFederated{IssuerAssignedID: w.subject, Claims: w.claims.Clone()}
		case engine.PhaseLocalSignUp:
			in = engine.SubmitSignUp{Email: w.email, Password: samplePassword, ConfirmPassword: samplePassword, Values: typed(m.Schema, def, r, fixture)}
		case engine.PhaseAttributes:
			in = engine.SubmitAttributes{Values: typed(m.Schema, def, r, fixture)}
		case engine.PhaseBlocked:
			return "B2C shows the block page: " + r.UserMessage, nil
		default:
			return ended(r), nil
		}
		before := r.Phase
		if err := m.Advance(ctx, def, r, in); err != nil {
			return "", err
		}
		if r.Phase == before && (r.PageError != "" || len(r.FieldErrors) > 0) {
			return "the page stays, showing: " + pageMessage(r), nil
		}
	}
	return ended(r), nil
}

// ended says how a finished run ended.
func ended(r *engine.Run) string {
	switch {
	case r.Phase == engine.PhaseDone:
		return "the run ends with a token"
	case r.Failure != nil:
		return "the run fails: " + r.Failure.Code + ": " + r.Failure.Message
	}
	return "the run stops on the " + string(r.Phase) + " page"
}

// pageMessage is the page's error, or its first field's.
func pageMessage(r *engine.Run) string {
	if r.PageError != "" {
		return r.PageError
	}
	keys := make([]string, 0, len(r.FieldErrors))
	for k := range r.FieldErrors {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys[0] + ": " + r.FieldErrors[keys[0]]
}

// typed are the attribute page's fields as submitted: the claims file's value, else the
// pre-filled one, else a sample.
func typed(schema attributes.Schema, def *flows.Definition, r *engine.Run, fixture engine.Claims) map[string]string {
	out := map[string]string{}
	for _, ua := range def.UserAttributes {
		v, given := fixture[ua.Name]
		switch {
		case given:
		case r.Values[ua.Name] != nil && r.Values[ua.Name] != "":
			v = r.Values[ua.Name]
		case sampleValues[ua.Name] != nil:
			v = sampleValues[ua.Name]
		default:
			a, _ := schema.Lookup(ua.Name)
			v = sampleOf(a)
		}
		if v != nil {
			out[ua.Name] = fmt.Sprint(v)
		}
	}
	return out
}
