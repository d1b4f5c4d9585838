package journey

import (
	"strings"
	"testing"

	"github.com/b2cemu/b2cemu/emulator/policy"
	"github.com/b2cemu/b2cemu/flows/otp"
)

// TestAuthenticatorTransformations: BuildUri percent-encodes the path and form-encodes the
// query (claims, then parameters; an empty claim left out), as the reference's example URI
// shows; CreateOtpSecret draws an 80-bit base32 secret from the id source.
func TestAuthenticatorTransformations(t *testing.T) {
	e := &Engine{Tenant: "contoso", NewID: func() string { return "0000000a-0000-4000-8000-000000000000" }}
	bag := map[string]string{"label": "Contoso demo:emily@fabrikam.com", "secret": "fay2lj7ynpntjgqa"}
	for _, tc := range []struct {
		name   string
		inputs map[string]string
		want   string
	}{
		{"otpauth URI", map[string]string{"path": "label", "query.secret": "secret"}, "otpauth://totp/Contoso%20demo:emily@fabrikam.com?secret=fay2lj7ynpntjgqa&issuer=Contoso+demo"},
		{"an empty claim is left out", map[string]string{"path": "label", "query.secret": "absent"}, "otpauth://totp/Contoso%20demo:emily@fabrikam.com?issuer=Contoso+demo"},
		{"no path", map[string]string{"query.secret": "secret"}, "otpauth://totp?secret=fay2lj7ynpntjgqa&issuer=Contoso+demo"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &policy.Policy{Transformations: map[string]*policy.Element{"t": transformation("BuildUri", tc.inputs,
				map[string]string{"scheme": "otpauth", "host": "totp", "query.issuer": "Contoso demo"}, map[string]string{"outputClaim": "out"})}}
			scope := copyBag(bag)
			if err := e.transform(p, &policy.TechnicalProfile{ID: "tp"}, "t", scope); err != nil {
				t.Fatal(err)
			}
			if scope["out"] != tc.want {
				t.Errorf("got %q, want %q", scope["out"], tc.want)
			}
		})
	}
	t.Run("CreateOtpSecret", func(t *testing.T) {
		p := &policy.Policy{Transformations: map[string]*policy.Element{"t": transformation("CreateOtpSecret", nil, nil, map[string]string{"outputClaim": "out"})}}
		a, b := map[string]string{}, map[string]string{}
		e.transform(p, &policy.TechnicalProfile{ID: "tp"}, "t", a)
		e.transform(p, &policy.TechnicalProfile{ID: "tp"}, "t", b)
		key, err := otp.Decode(a["out"])
		if err != nil || len(key) != 10 || len(a["out"]) != 16 || a["out"] != strings.ToLower(a["out"]) || a["out"] != b["out"] {
			t.Errorf("secret %q (%d bytes, %v); again %q", a["out"], len(key), err, b["out"])
		}
	})
}

// TestAzureMFAOperations: an operation the reference does not list is unsupported, naming
// the ones b2cemu runs.
func TestAzureMFAOperations(t *testing.T) {
	e := &Engine{Tenant: "contoso"}
	tp := &policy.TechnicalProfile{ID: "Mfa", Kind: policy.AzureMFA, Metadata: map[string]string{"Operation": "OneTimePasswordEmail"}, El: &policy.Element{File: "x.xml", Line: 3}}
	_, err := e.testExecution(t.Context(), &policy.Policy{}, nil).azureMFA(&call{tp: tp, inputs: map[string]string{}})
	if err == nil || !err.Unsupported || !strings.Contains(err.Diagnostic, `"OneTimePasswordEmail" (OneWaySMS, Verify, GetAvailableDevices, BeginVerifyOTP, VerifyOTP)`) {
		t.Errorf("got %+v", err)
	}
}
