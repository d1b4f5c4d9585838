package emulator

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/b2cemu/b2cemu/emulator/config"
	"github.com/b2cemu/b2cemu/emulator/connector"
	"github.com/b2cemu/b2cemu/emulator/journey"
	"github.com/b2cemu/b2cemu/emulator/policy"
	"github.com/b2cemu/b2cemu/flows"
	"github.com/b2cemu/b2cemu/flows/codes"
	"github.com/b2cemu/b2cemu/flows/engine"
	"github.com/b2cemu/b2cemu/web"
)

// customPolicies loads customPolicies.paths into the journey engine; nil when there are none.
// A policy problem is a configuration problem, listed with file, line and element.
func (e *Emulator) customPolicies(cfg *config.Config, record func(connector.Call)) (*journey.Engine, error) {
	if len(cfg.CustomPolicies.Paths) == 0 {
		return nil, nil
	}
	policies, err := loadPolicies(cfg)
	if err != nil {
		return nil, err
	}
	keys := map[string]string{}
	for k, v := range cfg.PolicyKeys {
		keys[strings.ToLower(k)] = v // the configuration's keys are case-insensitive
	}
	cerr := &config.Error{File: configName(cfg)}
	plain, certs := e.policyClients(cfg, cerr)
	for _, p := range policies {
		cerr.Problems = append(cerr.Problems, missingKeys(p, keys, certs)...)
	}
	if len(cerr.Problems) > 0 {
		return nil, cerr
	}
	for _, p := range policies {
		if p.DeploymentMode == "" {
			p.DeploymentMode = cfg.CustomPolicies.DeploymentMode
		}
		e.log.Info("custom policy loaded", "policy", p.ID, "journey", p.Journey.ID, "file", p.File)
		for _, w := range p.Warnings {
			e.log.Warn("custom policy: " + w.Error())
		}
	}
	return &journey.Engine{Policies: policies, Directory: e.st.users, Tenant: cfg.Tenant.Name, TenantID: cfg.Tenant.ID,
		PolicyKeys: keys, HTTP: plain, Certificates: certs, Now: e.Clock.Now, NewID: e.st.ids.GUID, Log: e.log, Record: record,
		Mail: func(m journey.Mail) { e.st.outbox.Add(outboxEmail(cfg, m)) }, Text: e.sendText, FixedCode: cfg.Deterministic.VerificationCode,
		Signals: e.st.signals.For}, nil
}

// loadPolicies reads customPolicies.paths; the policies' problems become the configuration's.
func loadPolicies(cfg *config.Config) (map[string]*policy.Policy, error) {
	var paths []string
	for _, p := range cfg.CustomPolicies.Paths {
		paths = append(paths, cfg.Resolve(p))
	}
	policies, err := policy.Load(paths)
	var perr *policy.Error
	if errors.As(err, &perr) {
		cerr := &config.Error{File: configName(cfg)}
		for _, p := range perr.Problems {
			cerr.Problems = append(cerr.Problems, config.Problem{Key: "customPolicies", Msg: p.Error()})
		}
		return nil, cerr
	}
	return policies, nil
}

// policyClients are the HTTP clients of the policies' RESTful calls: plain, trusting
// customPolicies.caFile, and one per policyCertificates key, by its lower-case name.
func (e *Emulator) policyClients(cfg *config.Config, cerr *config.Error) (*http.Client, map[string]*http.Client) {
	ca := readCAFile(cfg, "customPolicies.caFile", cfg.CustomPolicies.CAFile, cerr)
	plain := httpClient(nil, ca, "customPolicies.caFile", cfg.CustomPolicies.CAFile, e.Clock.Now, cerr)
	certs := map[string]*http.Client{}
	for id, list := range cfg.PolicyCertificates {
		loaded := loadCertificates(cfg, "policyCertificates."+id, list, e.Clock.Now, cerr, func(c config.Certificate, cert connector.ClientCert) {
			e.log.Warn("policy key client certificate expires soon (or has expired); upload a new one before it does",
				"key", id, "file", c.File, "subject", cert.Leaf.Subject.String(), "notAfter", cert.Leaf.NotAfter.UTC().Format(time.RFC3339))
		})
		certs[strings.ToLower(id)] = httpClient(loaded, ca, "customPolicies.caFile", cfg.CustomPolicies.CAFile, e.Clock.Now, cerr)
	}
	return plain, certs
}

// missingKeys lists the policy keys p's technical profiles name that the configuration lacks:
// id_token_hint secrets in policyKeys and client certificates in policyCertificates.
func missingKeys(p *policy.Policy, keys map[string]string, certs map[string]*http.Client) []config.Problem {
	var problems []config.Problem
	for _, tp := range p.HintProfiles() {
		if ref := tp.HintSecret(); ref != "" && keys[strings.ToLower(ref)] == "" {
			problems = append(problems, config.Problem{Key: "policyKeys",
				Msg: fmt.Sprintf("%s:%d: TechnicalProfile Id=%q verifies id_token_hint with the client_secret key %q, which policyKeys does not hold; add policyKeys: {%s: <the secret your link generator signs with>}", tp.El.File, tp.El.Line, tp.ID, ref, ref)})
		}
	}
	for _, tp := range p.TechnicalProfiles {
		ref := tp.Keys["ClientCertificate"]
		if tp.Kind == policy.Restful && strings.EqualFold(tp.Metadata["AuthenticationType"], "ClientCertificate") && certs[strings.ToLower(ref)] == nil {
			problems = append(problems, config.Problem{Key: "policyCertificates",
				Msg: fmt.Sprintf("%s:%d: TechnicalProfile Id=%q uses AuthenticationType ClientCertificate with the key %q, which policyCertificates does not hold; add policyCertificates: {%s: [{file: client.pfx, password: …}]}", tp.El.File, tp.El.Line, tp.ID, ref, ref)})
		}
	}
	return problems
}

// outboxEmail is a verification email as the outbox keeps it.
func outboxEmail(cfg *config.Config, m codes.Mail) web.Email {
	return web.Email{Time: m.Time, RunID: m.RunID, Policy: m.Policy, TechnicalProfile: m.TechnicalProfile, To: m.To,
		Subject: cfg.Tenant.Name + " account email verification code", Code: m.Code}
}

// engines runs user flows on the flow machine and custom policies on the journey engine. It is
// web's Engine: the machine takes the flow's definition, the journey engine only its policy
// id, so the custom-policy engine needs nothing of the user-flow engine.
type engines struct {
	flows    *flows.Machine
	journeys *journey.Engine
}

var (
	_ web.Engine         = engines{}
	_ web.Refresher      = engines{}
	_ web.RequestStarter = engines{}
)

func (en engines) custom(def *flows.Definition) bool {
	return en.journeys != nil && en.journeys.Policies[strings.ToLower(def.ID)] != nil
}

func (en engines) Start(ctx context.Context, def *flows.Definition, id, clientID, uiLocales string) *engine.Run {
	if en.custom(def) {
		return en.journeys.Start(ctx, def.ID, id, clientID, uiLocales)
	}
	return en.flows.Start(ctx, def, id, clientID, uiLocales)
}

// StartRequest gives a custom policy's journey the authorize request's parameters and the
// browser's address from its first step; user flows read them after the start.
func (en engines) StartRequest(ctx context.Context, def *flows.Definition, id, clientID, uiLocales string, request map[string]string, clientIP string) *engine.Run {
	if en.custom(def) {
		return en.journeys.StartFrom(ctx, def.ID, id, clientID, uiLocales, request, clientIP)
	}
	return en.flows.Start(ctx, def, id, clientID, uiLocales)
}

func (en engines) Advance(ctx context.Context, def *flows.Definition, r *engine.Run, in engine.Input) error {
	if en.custom(def) {
		return en.journeys.Advance(ctx, def.ID, r, in)
	}
	return en.flows.Advance(ctx, def, r, in)
}

// Refresh runs a custom policy's refresh journey; user flows have none.
func (en engines) Refresh(ctx context.Context, def *flows.Definition, objectID string, issued time.Time, carried map[string]string) (*engine.Run, bool) {
	if en.custom(def) {
		return en.journeys.Refresh(ctx, def.ID, objectID, issued, carried)
	}
	return nil, false
}
