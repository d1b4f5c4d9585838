package journey

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/b2cemu/b2cemu/emulator/policy"
	"github.com/b2cemu/b2cemu/flows/engine"
)

func TestPreconditions(t *testing.T) {
	bag := map[string]string{"objectid": "o-1", "authenticationsource": "localAccountAuthentication", "isemail": "true", "flag": "true", "cachallengeismfa": "false"}
	p := &policy.Policy{ClaimTypes: map[string]*policy.ClaimType{"isemail": {ID: "isEmail", DataType: "boolean"}, "flag": {ID: "flag", DataType: "string"},
		"cachallengeismfa": {ID: "CAChallengeIsMfa", DataType: "boolean"}}}
	for _, tc := range []struct {
		name string
		pc   policy.Precondition
		skip bool
	}{
		{"exists, act if true", policy.Precondition{Type: "ClaimsExist", ExecuteActionsIf: true, Values: []string{"objectId"}, Action: "SkipThisOrchestrationStep"}, true},
		{"exists, act if false", policy.Precondition{Type: "ClaimsExist", ExecuteActionsIf: false, Values: []string{"objectId"}, Action: "SkipThisOrchestrationStep"}, false},
		{"absent, act if false", policy.Precondition{Type: "ClaimsExist", ExecuteActionsIf: false, Values: []string{"email"}, Action: "SkipThisOrchestrationStep"}, true},
		{"equals", policy.Precondition{Type: "ClaimEquals", ExecuteActionsIf: true, Values: []string{"authenticationSource", "localAccountAuthentication"}, Action: "SkipThisOrchestrationStep"}, true},
		{"differs", policy.Precondition{Type: "ClaimEquals", ExecuteActionsIf: true, Values: []string{"authenticationSource", "socialIdpAuthentication"}, Action: "SkipThisOrchestrationStep"}, false},
		{"differs, act if false", policy.Precondition{Type: "ClaimEquals", ExecuteActionsIf: false, Values: []string{"authenticationSource", "socialIdpAuthentication"}, Action: "SkipThisOrchestrationStep"}, true},
		{"equals on an absent claim", policy.Precondition{Type: "ClaimEquals", ExecuteActionsIf: false, Values: []string{"email", "x"}, Action: "SkipThisOrchestrationStep"}, false},
		{"a Boolean in .NET's casing", policy.Precondition{Type: "ClaimEquals", ExecuteActionsIf: true, Values: []string{"CAChallengeIsMfa", "False"}, Action: "SkipThisOrchestrationStep"}, true},
		{"other text exactly", policy.Precondition{Type: "ClaimEquals", ExecuteActionsIf: true, Values: []string{"authenticationSource", "LocalAccountAuthentication"}, Action: "SkipThisOrchestrationStep"}, false},
		{"validation action", policy.Precondition{Type: "ClaimsExist", ExecuteActionsIf: true, Values: []string{"objectId"}, Action: "SkipThisValidationTechnicalProfile"}, true},
		// A boolean claim compares as .NET writes it, True or False, case-sensitively (B2C's
		// preconditions reference); a string claim compares as it is.
		{"boolean True", policy.Precondition{Type: "ClaimEquals", ExecuteActionsIf: true, Values: []string{"isEmail", "True"}, Action: "SkipThisOrchestrationStep"}, true},
		{"boolean true", policy.Precondition{Type: "ClaimEquals", ExecuteActionsIf: true, Values: []string{"isEmail", "true"}, Action: "SkipThisOrchestrationStep"}, false},
		{"boolean False, act if false", policy.Precondition{Type: "ClaimEquals", ExecuteActionsIf: false, Values: []string{"isEmail", "False"}, Action: "SkipThisOrchestrationStep"}, true},
		{"string true", policy.Precondition{Type: "ClaimEquals", ExecuteActionsIf: true, Values: []string{"flag", "true"}, Action: "SkipThisOrchestrationStep"}, true},
		{"string True", policy.Precondition{Type: "ClaimEquals", ExecuteActionsIf: true, Values: []string{"flag", "True"}, Action: "SkipThisOrchestrationStep"}, false},
	} {
		if got := skip(p, []policy.Precondition{tc.pc}, bag); got != tc.skip {
			t.Errorf("%s: skip = %v, want %v", tc.name, got, tc.skip)
		}
	}
}

// TestRESTAnswer: how a RESTful profile's answer becomes output claims or the page's error.
func TestRESTAnswer(t *testing.T) {
	e := &Engine{}
	p := &policy.Policy{}
	tp := &policy.TechnicalProfile{ID: "REST-Check"}
	for _, tc := range []struct {
		name     string
		status   int
		body     string
		claims   map[string]string
		msg      string
		rejected bool
	}{
		{"claims", 200, `{"promoCode":"P-1","age":42,"vip":true,"none":null,"tags":["a","b"]}`,
			map[string]string{"promoCode": "P-1", "age": "42", "vip": "true", "tags": `["a","b"]`}, "", false},
		{"userMessage", 409, `{"version":"1.0.0","status":409,"userMessage":"No."}`, nil, "No.", true},
		{"4xx without userMessage", 400, `{"status":400}`, nil, "The claims exchange 'REST-Check' specified in step '3' returned HTTP error response with Code 'BadRequest' and Reason 'Bad Request'.", false},
		{"5xx", 500, `{"userMessage":"ignored"}`, nil, "The claims exchange 'REST-Check' specified in step '3' returned HTTP error response with Code 'InternalServerError' and Reason 'Internal Server Error'.", false},
		{"not JSON", 200, `<html>`, nil, "The claims exchange 'REST-Check' specified in step '3' returned HTTP error response with Code 'OK' and Reason 'OK'.", false},
	} {
		out, err := e.restAnswer(p, tp, tc.status, nil, []byte(tc.body), 3)
		if tc.msg == "" {
			if err != nil {
				t.Errorf("%s: error %+v", tc.name, err)
				continue
			}
			if len(out) != len(tc.claims) {
				t.Errorf("%s: claims = %v, want %v", tc.name, out, tc.claims)
			}
			for k, v := range tc.claims {
				if out[k] != v {
					t.Errorf("%s: %s = %q, want %q", tc.name, k, out[k], v)
				}
			}
			continue
		}
		if err == nil || err.Message != tc.msg || err.Rejected != tc.rejected {
			t.Errorf("%s: error = %+v, want %q (rejected %v)", tc.name, err, tc.msg, tc.rejected)
		}
		if err != nil && !err.Rejected && err.Diagnostic == "" {
			t.Errorf("%s: no diagnostic for the developer", tc.name)
		}
	}
}

func TestClaimResolvers(t *testing.T) {
	e := &Engine{Tenant: "contoso", TenantID: "t-id", Now: func() time.Time { return time.Date(2026, 3, 4, 17, 5, 6, 0, time.UTC) }}
	p := &policy.Policy{ID: "B2C_1A_signup_signin"}
	bag := map[string]string{"email": "a@b.c"}
	for _, tc := range []struct{ locale, in, want string }{
		{"", "{Culture:LCID}", "1033"},
		{"es-ES", "{Culture:LCID}", "3082"},
		{"es-ES", "{Culture:LanguageName}-{Culture:RegionName}", "es-ES"},
		{"", "{Policy:PolicyId} {Policy:TenantObjectId} {Policy:TrustFrameworkTenantId}", "B2C_1A_signup_signin t-id contoso.onmicrosoft.com"},
		{"", "{OIDC:ClientId}/{Context:CorrelationId}", "client/run-1"},
		{"", "{Context:DateTimeInUtc}", "3/4/2026 5:05:06 PM"},
		{"", "hi {Claim:email}", "hi a@b.c"},
		{"", "{Unknown:Thing}", "{Unknown:Thing}"},
		{"", "{OAUTH-KV:campaignId}|{OAUTH-KV:missing}|{OIDC:LoginHint}|{OIDC:Prompt}", "summer|||login"},
		{"", "{Context:IPAddress}", "127.0.0.1"},
	} {
		r := &engine.Run{ID: "run-1", ClientID: "client", UILocales: tc.locale, ClientIP: "127.0.0.1",
			Request: map[string]string{"campaignId": "summer", "prompt": "login"}}
		if got := e.resolve(p, r, bag, tc.in); got != tc.want {
			t.Errorf("%s %s = %q, want %q", tc.locale, tc.in, got, tc.want)
		}
	}
}

func TestPatterns(t *testing.T) {
	// The starter packs' password rule uses lookaheads, which Go's regexp cannot run.
	const pw = `^((?=.*[a-z])(?=.*[A-Z])(?=.*\d)|(?=.*[a-z])(?=.*[A-Z])(?=.*[^A-Za-z0-9])|(?=.*[a-z])(?=.*\d)(?=.*[^A-Za-z0-9])|(?=.*[A-Z])(?=.*\d)(?=.*[^A-Za-z0-9]))([A-Za-z\d@#$%^&*\-_+=[\]{}|\\:',?/` + "`" + `~"();!]|\.(?!@)){8,16}$`
	for in, want := range map[string]bool{"Passw0rd!x": true, "password": false, "Sh0rt!": false, "alllowercase1!": true} {
		if got, err := matchPattern(pw, in); got != want || err != nil {
			t.Errorf("matchPattern(%q) = %v, %v, want %v", in, got, err, want)
		}
	}
}

func TestRESTJSONPaths(t *testing.T) {
	body := `{"promo":{"code":"P-9","tiers":["gold","silver"]},"items":[{"id":7}],"top":"x"}`
	for _, tc := range []struct {
		resolve bool
		want    map[string]string
		absent  []string
	}{
		{false, map[string]string{"top": "x", "promo": `{"code":"P-9","tiers":["gold","silver"]}`, "items": `[{"id":7}]`}, []string{"promo.code", "items[0].id"}},
		{true, map[string]string{"top": "x", "promo.code": "P-9", "promo.tiers[1]": "silver", "items[0].id": "7", "promo.tiers": `["gold","silver"]`}, nil},
	} {
		tp := &policy.TechnicalProfile{ID: "REST", Metadata: map[string]string{}}
		if tc.resolve {
			tp.Metadata["ResolveJsonPathsInJsonTokens"] = "true"
		}
		out, err := (&Engine{}).restAnswer(&policy.Policy{}, tp, 200, nil, []byte(body), 1)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range tc.want {
			if out[k] != v {
				t.Errorf("resolve=%v: %s = %q, want %q", tc.resolve, k, out[k], v)
			}
		}
		for _, k := range tc.absent {
			if _, ok := out[k]; ok {
				t.Errorf("resolve=%v: %s should not resolve", tc.resolve, k)
			}
		}
	}
}

// transformation builds a ClaimsTransformation element: inputs and outputs map transformation
// claim types to claim ids.
func transformation(method string, inputs, params, outputs map[string]string) *policy.Element {
	el := func(name string, attr map[string]string, kids ...*policy.Element) *policy.Element {
		return &policy.Element{Name: name, Attr: attr, Children: kids}
	}
	var ins, ps, outs []*policy.Element
	for tct, claim := range inputs {
		ins = append(ins, el("InputClaim", map[string]string{"ClaimTypeReferenceId": claim, "TransformationClaimType": tct}))
	}
	for id, v := range params {
		ps = append(ps, el("InputParameter", map[string]string{"Id": id, "Value": v}))
	}
	for tct, claim := range outputs {
		outs = append(outs, el("OutputClaim", map[string]string{"ClaimTypeReferenceId": claim, "TransformationClaimType": tct}))
	}
	return el("ClaimsTransformation", map[string]string{"Id": "t", "TransformationMethod": method},
		el("InputClaims", nil, ins...), el("InputParameters", nil, ps...), el("OutputClaims", nil, outs...))
}

func TestClaimsTransformations(t *testing.T) {
	e := &Engine{Tenant: "contoso", NewID: func() string { return "0000000a-0000-4000-8000-000000000000" }}
	bag := func() map[string]string {
		return map[string]string{"email": "Ana@Contoso.com", "other": "ana@contoso.com", "given": "Ana", "sur": "Silva",
			"mails": `["a@x.com","b@x.com"]`, "json": `{"user":{"tier":"gold"}}`,
			"issued": "2030-01-01T10:00:00Z", "early": "2030-01-01T09:00:00Z", "near": "2030-01-01T10:04:00Z", "late": "2030-01-01T11:00:00Z"}
	}
	later := func(left, right, ifEqual, ifMissing string) *policy.Element {
		return transformation("AssertDateTimeIsGreaterThan", map[string]string{"leftOperand": left, "rightOperand": right},
			map[string]string{"AssertIfEqualTo": ifEqual, "AssertIfRightOperandIsNotPresent": ifMissing, "TreatAsEqualIfWithinMillseconds": "300000"}, nil)
	}
	for _, tc := range []struct {
		name    string
		t       *policy.Element
		claim   string
		want    string
		failure bool
	}{
		{"AddItemToStringCollection", transformation("AddItemToStringCollection", map[string]string{"item": "other", "collection": "mails"}, nil, map[string]string{"collection": "out"}), "out", `["a@x.com","b@x.com","ana@contoso.com"]`, false},
		{"CreateStringClaim", transformation("CreateStringClaim", nil, map[string]string{"value": "hi"}, map[string]string{"createdClaim": "out"}), "out", "hi", false},
		{"CopyClaim", transformation("CopyClaim", map[string]string{"inputClaim": "given"}, nil, map[string]string{"outputClaim": "out"}), "out", "Ana", false},
		{"CreateRandomString GUID", transformation("CreateRandomString", nil, map[string]string{"randomGeneratorType": "GUID"}, map[string]string{"outputClaim": "out"}), "out", "0000000a-0000-4000-8000-000000000000", false},
		{"CreateRandomString INTEGER", transformation("CreateRandomString", nil, map[string]string{"randomGeneratorType": "INTEGER", "maximumNumber": "1000", "stringFormat": "OTP_{0}"}, map[string]string{"outputClaim": "out"}), "out", "OTP_706", false},
		{"FormatStringClaim", transformation("FormatStringClaim", map[string]string{"inputClaim": "given"}, map[string]string{"stringFormat": "cpim_{0}@contoso"}, map[string]string{"outputClaim": "out"}), "out", "cpim_Ana@contoso", false},
		{"FormatStringMultipleClaims", transformation("FormatStringMultipleClaims", map[string]string{"inputClaim1": "given", "inputClaim2": "sur"}, map[string]string{"stringFormat": "{0} {1}"}, map[string]string{"outputClaim": "out"}), "out", "Ana Silva", false},
		{"ChangeCase", transformation("ChangeCase", map[string]string{"inputClaim1": "email"}, map[string]string{"toCase": "LOWER"}, map[string]string{"outputClaim1": "out"}), "out", "ana@contoso.com", false},
		{"CompareClaimToValue", transformation("CompareClaimToValue", map[string]string{"inputClaim1": "given"}, map[string]string{"compareTo": "ana", "operator": "EQUAL", "ignoreCase": "true"}, map[string]string{"outputClaim": "out"}), "out", "true", false},
		{"CompareClaims NOT EQUAL", transformation("CompareClaims", map[string]string{"inputClaim1": "email", "inputClaim2": "other"}, map[string]string{"operator": "NOT EQUAL", "ignoreCase": "false"}, map[string]string{"outputClaim": "out"}), "out", "true", false},
		{"AssertStringClaimsAreEqual ignoring case", transformation("AssertStringClaimsAreEqual", map[string]string{"inputClaim1": "email", "inputClaim2": "other"}, map[string]string{"stringComparison": "ordinalIgnoreCase"}, nil), "", "", false},
		{"AssertStringClaimsAreEqual fails", transformation("AssertStringClaimsAreEqual", map[string]string{"inputClaim1": "email", "inputClaim2": "other"}, map[string]string{"stringComparison": "ordinal"}, nil), "", "", true},
		{"GetSingleItemFromStringCollection", transformation("GetSingleItemFromStringCollection", map[string]string{"collection": "mails"}, nil, map[string]string{"extractedItem": "out"}), "out", "a@x.com", false},
		{"CreateAlternativeSecurityId", transformation("CreateAlternativeSecurityId", map[string]string{"key": "given", "identityProvider": "other"}, nil, map[string]string{"alternativeSecurityId": "out"}), "out", `{"issuer":"ana@contoso.com","issuerUserId":"QW5h"}`, false},
		{"FormatStringClaim RelyingPartyTenantId", transformation("FormatStringClaim", map[string]string{"inputClaim": "given"}, map[string]string{"stringFormat": "cpim_{0}@{RelyingPartyTenantId}"}, map[string]string{"outputClaim": "out"}), "out", "cpim_Ana@contoso.onmicrosoft.com", false},
		{"AssertDateTimeIsGreaterThan later", later("issued", "early", "false", "true"), "", "", false},
		{"AssertDateTimeIsGreaterThan earlier", later("issued", "late", "false", "true"), "", "", true},
		{"AssertDateTimeIsGreaterThan equal within the window", later("issued", "near", "false", "true"), "", "", false},
		{"AssertDateTimeIsGreaterThan equal asserts", later("issued", "near", "true", "true"), "", "", true},
		{"AssertDateTimeIsGreaterThan right missing passes", later("issued", "none", "false", "true"), "", "", false},
		{"AssertDateTimeIsGreaterThan right missing fails", later("issued", "none", "false", "false"), "", "", true},
		{"AssertDateTimeIsGreaterThan not a date", later("given", "early", "false", "true"), "", "", true},
		{"GetClaimFromJson", transformation("GetClaimFromJson", map[string]string{"inputJson": "json"}, map[string]string{"claimToExtract": "user.tier"}, map[string]string{"extractedClaim": "out"}), "out", "gold", false},
	} {
		p := &policy.Policy{Transformations: map[string]*policy.Element{"t": tc.t}}
		scope := bag()
		err := e.transform(p, &policy.TechnicalProfile{ID: "tp"}, "t", scope)
		if (err != nil) != tc.failure {
			t.Errorf("%s: error = %+v", tc.name, err)
			continue
		}
		if tc.claim != "" && scope[tc.claim] != tc.want {
			t.Errorf("%s: %s = %q, want %q", tc.name, tc.claim, scope[tc.claim], tc.want)
		}
	}
}

func TestRequestFailedMessages(t *testing.T) {
	e := &Engine{}
	p := &policy.Policy{}
	const u = "https://api.example/validate"
	dns := &net.DNSError{Err: "no such host", Name: "api.example", IsNotFound: true}
	refused := errors.New("connect: connection refused")
	for _, tc := range []struct {
		name     string
		metadata map[string]string
		err      error
		want     string
	}{
		{"refused", nil, refused, "Failed to establish connection to restful service end point. Restful service URL: " + u},
		{"timeout", nil, context.DeadlineExceeded, "Failed to establish connection to restful service end point within timeout limit 10 seconds. Restful service URL: " + u},
		{"dns", nil, dns, "Failed to resolve the hostname of the restful service endpoint. Restful service URL: " + u},
		{"custom default", map[string]string{"DefaultUserMessageIfRequestFailed": "Our loyalty service is down."}, dns, "Our loyalty service is down."},
		{"custom timeout", map[string]string{"UserMessageIfRequestTimeout": "Too slow: {0}"}, context.DeadlineExceeded, "Too slow: " + u},
	} {
		md := map[string]string{"ServiceUrl": u}
		for k, v := range tc.metadata {
			md[k] = v
		}
		if got := e.requestFailed(p, &policy.TechnicalProfile{Metadata: md}, tc.err); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestTextFromMetadata: without a localized string, a profile's UserMessageIf… metadata (the
// display-control starter pack's login-NonInteractive) and language.<id> metadata
// (button_continue) give the text, and a page profile's error metadata reaches its
// validation profiles.
func TestTextFromMetadata(t *testing.T) {
	e := &Engine{}
	p := &policy.Policy{}
	login := &policy.TechnicalProfile{ID: "login-NonInteractive", Metadata: map[string]string{"UserMessageIfInvalidPassword": "Your password is incorrect"}}
	if got := e.text(p, login, "ErrorMessage", "UserMessageIfInvalidPassword", "Your password is incorrect."); got != "Your password is incorrect" {
		t.Errorf("metadata message = %q", got)
	}
	page := &policy.TechnicalProfile{ID: "signup", Metadata: map[string]string{"language.button_continue": "Create", "UserMessageIfVerificationFailedRetryAllowed": "Wrong code."}}
	if got := e.text(p, page, "UxElement", "button_continue", "Continue"); got != "Create" {
		t.Errorf("language metadata = %q", got)
	}
	sspr := onPage(&policy.TechnicalProfile{ID: "AadSspr-VerifyCode", Metadata: map[string]string{"Operation": "VerifyCode"}}, page, "api.localaccountsignup")
	if got := e.text(p, sspr, "ErrorMessage", "UserMessageIfVerificationFailedRetryAllowed", "The verification has failed, please try again."); got != "Wrong code." {
		t.Errorf("page metadata on a validation profile = %q", got)
	}
	if sspr.Metadata["ContentDefinitionReferenceId"] != "api.localaccountsignup" || sspr.Metadata["language.button_continue"] != "" {
		t.Errorf("onPage metadata = %v", sspr.Metadata)
	}
}

// TestMoreClaimsTransformations: the general string, boolean, date, number, JSON and
// collection transformations, as Microsoft documents them.
func TestMoreClaimsTransformations(t *testing.T) {
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	e := &Engine{Tenant: "contoso", Now: func() time.Time { return now }, PolicyKeys: map[string]string{"b2c_1a_salt": "s3cret"}}
	bag := func() map[string]string {
		return map[string]string{"email": "Ana@Contoso.com", "given": "Ana", "yes": "true", "no": "false", "csv": "a,b,c",
			"mails": `["a@x.com","b@x.com"]`, "n": "42", "key": "gold", "nulled": "x",
			"local": "033 456-7890", "dk": "DK", "intl": "+1 (123) 456-7890", "bad": "12ab"}
	}
	io := func(pairs ...string) map[string]string {
		m := map[string]string{}
		for i := 0; i+1 < len(pairs); i += 2 {
			m[pairs[i]] = pairs[i+1]
		}
		return m
	}
	for _, tc := range []struct {
		method               string
		inputs, params, outs map[string]string
		claim, want          string
	}{
		{"DoesClaimExist", io("inputClaim", "given"), nil, io("outputClaim", "out"), "out", "true"},
		{"DoesClaimExist", io("inputClaim", "absent"), nil, io("outputClaim", "out"), "out", "false"},
		{"NullClaim", nil, nil, io("claim_to_null", "nulled"), "nulled", "<absent>"},
		{"StringReplace", io("inputClaim", "csv"), io("oldValue", ",", "newValue", ";"), io("outputClaim", "out"), "out", "a;b;c"},
		{"StringSubstring", io("inputClaim", "email"), io("startIndex", "4", "length", "7"), io("outputClaim", "out"), "out", "Contoso"},
		{"StringContains", io("inputClaim", "email"), io("contains", "CONTOSO", "ignoreCase", "true"), io("outputClaim", "out"), "out", "true"},
		{"ParseDomain", io("emailAddress", "email"), nil, io("domain", "out"), "out", "Contoso.com"},
		{"StringSplit", io("inputClaim", "csv"), io("delimiter", ","), io("outputClaim", "out"), "out", `["a","b","c"]`},
		{"StringJoin", io("inputClaim", "mails"), io("delimiter", "; "), io("outputClaim", "out"), "out", "a@x.com; b@x.com"},
		{"AddParameterToStringCollection", io("collection", "mails"), io("item", "c@x.com"), io("collection", "out"), "out", `["a@x.com","b@x.com","c@x.com"]`},
		{"StringCollectionContains", io("inputClaim", "mails"), io("item", "B@X.COM", "ignoreCase", "true"), io("outputClaim", "out"), "out", "true"},
		{"SetClaimsIfStringsAreEqual", io("inputClaim1", "given", "inputClaim2", "given"), io("stringComparison", "ordinal", "outputClaimIfMatched", "same"),
			io("outputClaim", "out", "stringCompareResultClaim", "res"), "out", "same"},
		{"SetClaimsIfStringsMatch", io("claimToMatch", "given"), io("matchTo", "ANA", "stringComparison", "ordinalIgnoreCase", "outputClaimIfMatched", "hit"),
			io("outputClaim", "out", "stringMatchResultClaim", "res"), "res", "true"},
		{"SetClaimsIfRegexMatch", io("claimToMatch", "n"), io("matchTo", `^\d+$`, "outputClaimIfMatched", "digits"), io("outputClaim", "out", "regexCompareResultClaim", "res"), "out", "digits"},
		// The method's name in another case, as the community samples and Microsoft's own
		// reference example (2020) spell SetClaimsIfRegexMatch.
		{"setClaimsIfRegexMatch", io("claimToMatch", "email"), io("matchTo", `^[^@]+@[^@]+$`, "outputClaimIfMatched", "isEmail"), io("outputClaim", "out", "regexCompareResultClaim", "res"), "out", "isEmail"},
		{"compareclaims", io("inputClaim1", "given", "inputClaim2", "given"), io("operator", "equal", "ignoreCase", "true"), io("outputClaim", "out"), "out", "true"},
		// Microsoft's two examples of ConvertStringToPhoneNumberClaim: a local number with its
		// country, and an international one.
		{"ConvertStringToPhoneNumberClaim", io("phoneNumberString", "local", "country", "dk"), nil, io("outputClaim", "out"), "out", "+450334567890"},
		{"ConvertStringToPhoneNumberClaim", io("phoneNumberString", "intl"), nil, io("outputClaim", "out"), "out", "+11234567890"},
		{"ConvertPhoneNumberClaimToString", io("phoneNumber", "intl"), nil, io("phoneNumberString", "out"), "out", "+1 (123) 456-7890"},
		{"SetClaimIfBooleansMatch", io("claimToMatch", "yes"), io("matchTo", "true", "outputClaimIfMatched", "on"), io("outputClaim", "out"), "out", "on"},
		{"AndClaims", io("inputClaim1", "yes", "inputClaim2", "no"), nil, io("outputClaim", "out"), "out", "false"},
		{"OrClaims", io("inputClaim1", "yes", "inputClaim2", "no"), nil, io("outputClaim", "out"), "out", "true"},
		{"NotClaims", io("inputClaim", "no"), nil, io("outputClaim", "out"), "out", "true"},
		{"CompareBooleanClaimToValue", io("inputClaim", "yes"), io("valueToCompareTo", "false"), io("compareResult", "out"), "out", "false"},
		{"GetCurrentDateTime", nil, nil, io("currentDateTime", "out"), "out", "2030-01-02T03:04:05Z"},
		{"ConvertNumberToStringClaim", io("inputClaim", "n"), nil, io("outputClaim", "out"), "out", "42"},
		{"LookupValue", io("inputParameterId", "key"), io("gold", "10%", "silver", "5%"), io("outputClaim", "out"), "out", "10%"},
		{"GenerateJson", io("personalizations.0.to.0.email", "email"), io("template_id", "d-1", "from.email", "no-reply@contoso.com"), io("outputClaim", "out"),
			"out", `{"from":{"email":"no-reply@contoso.com"},"personalizations":[{"to":[{"email":"Ana@Contoso.com"}]}],"template_id":"d-1"}`},
	} {
		p := &policy.Policy{Transformations: map[string]*policy.Element{"t": transformation(tc.method, tc.inputs, tc.params, tc.outs)}}
		scope := bag()
		if err := e.transform(p, &policy.TechnicalProfile{ID: "tp"}, "t", scope); err != nil {
			t.Errorf("%s: %+v", tc.method, err)
			continue
		}
		got, ok := scope[tc.claim]
		if !ok {
			got = "<absent>"
		}
		if got != tc.want {
			t.Errorf("%s: %s = %q, want %q", tc.method, tc.claim, got, tc.want)
		}
	}
	// LookupValue with errorOnFailedLookup fails; Hash is stable and keyed.
	p := &policy.Policy{Transformations: map[string]*policy.Element{
		"lookup": transformation("LookupValue", io("inputParameterId", "given"), io("gold", "1", "errorOnFailedLookup", "true"), io("outputClaim", "out")),
		"hash":   transformation("Hash", io("plaintext", "email", "salt", "given"), io("randomizerSecret", "B2C_1A_Salt"), io("hash", "h"))}}
	if err := e.transform(p, &policy.TechnicalProfile{ID: "tp"}, "lookup", bag()); err == nil {
		t.Error("LookupValue without the value did not fail")
	}
	// A string that is no phone number fails with the profile's message.
	p.Transformations["phone"] = transformation("ConvertStringToPhoneNumberClaim", io("phoneNumberString", "bad"), nil, io("outputClaim", "out"))
	tp := &policy.TechnicalProfile{ID: "tp", Metadata: map[string]string{"UserMessageIfClaimsTransformationInvalidPhoneNumber": "Not a number."}}
	if err := e.transform(p, tp, "phone", bag()); err == nil || err.Message != "Not a number." {
		t.Errorf("an invalid phone number: %+v", err)
	}
	if err := e.transform(p, tp, "phone", map[string]string{"bad": "+12"}); err == nil {
		t.Error("a two-digit number passed")
	}
	a, b := bag(), bag()
	e.transform(p, &policy.TechnicalProfile{ID: "tp"}, "hash", a)
	e.transform(p, &policy.TechnicalProfile{ID: "tp"}, "hash", b)
	if a["h"] == "" || a["h"] != b["h"] {
		t.Errorf("hash %q vs %q", a["h"], b["h"])
	}
}

// TestInputDefaultsInProfileScope: an input claim's DefaultValue creates the claim for the
// profile's own output claims transformations (the home-realm discovery and banned-password
// samples compare a claim with a DefaultValue="true" input claim), and stays out of the
// journey's claims unless the profile outputs it.
func TestInputDefaultsInProfileScope(t *testing.T) {
	e := &Engine{Tenant: "contoso"}
	p := &policy.Policy{
		ClaimTypes: map[string]*policy.ClaimType{"known": {ID: "known", DataType: "string"}, "dummytrue": {ID: "dummyTrue", DataType: "string"},
			"iscustomer": {ID: "isCustomer", DataType: "boolean"}},
		Transformations: map[string]*policy.Element{"check": transformation("CompareClaims", map[string]string{"inputClaim1": "known", "inputClaim2": "dummyTrue"},
			map[string]string{"operator": "EQUAL", "ignoreCase": "true"}, map[string]string{"outputClaim": "isCustomer"})},
	}
	tp := &policy.TechnicalProfile{ID: "HRDLogic", Kind: policy.Transformation,
		InputClaims:           []policy.ClaimRef{{ClaimType: "dummyTrue", DefaultValue: "true", HasDefault: true}, {ClaimType: "known"}},
		OutputClaims:          []policy.ClaimRef{{ClaimType: "known"}},
		OutputTransformations: []string{"check"}}
	for _, tc := range []struct {
		name, known, want string
	}{
		{"a known domain", "true", "true"},
		{"an unknown one", "", "false"},
	} {
		scope := map[string]string{}
		if tc.known != "" {
			scope["known"] = tc.known
		}
		if _, err := e.run(p, tp, scope); err != nil {
			t.Fatalf("%s: %+v", tc.name, err)
		}
		if scope["iscustomer"] != tc.want {
			t.Errorf("%s: isCustomer = %q, want %q", tc.name, scope["iscustomer"], tc.want)
		}
		if _, leaked := scope["dummytrue"]; leaked {
			t.Errorf("%s: the input default reached the journey's claims", tc.name)
		}
	}
}

// TestRememberMeOnUnifiedPage: the unified page shows "Keep me signed in" when the sign-in
// profile behind ValidationClaimsExchangeId sets setting.enableRememberMe to true, in any case.
func TestRememberMeOnUnifiedPage(t *testing.T) {
	for _, tc := range []struct {
		name  string
		value string // "" leaves the metadata out
		want  bool
	}{
		{"absent (B2C's default)", "", false},
		{"true", "true", true},
		{"True, as Microsoft's article writes it", "True", true},
		{"false", "false", false},
		{"FALSE", "FALSE", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			md := map[string]string{"SignUpTarget": "SignUpWithLogonEmailExchange"}
			if tc.value != "" {
				md["setting.enableRememberMe"] = tc.value
			}
			p := &policy.Policy{TechnicalProfiles: map[string]*policy.TechnicalProfile{"SelfAsserted-LocalAccountSignin-Email": {ID: "SelfAsserted-LocalAccountSignin-Email", Metadata: md}}}
			step := &policy.Step{Order: 1, Type: "CombinedSignInAndSignUp", ContentDefinition: "api.signuporsignin",
				Selections: []policy.Selection{{Validation: "LocalAccountSigninEmailExchange"}},
				Exchanges:  []policy.Exchange{{ID: "LocalAccountSigninEmailExchange", TechnicalProfile: "SelfAsserted-LocalAccountSignin-Email"}}}
			x := (&Engine{}).execute(context.Background(), p, &engine.Run{}, &state{bag: map[string]string{}})
			x.unifiedPage(step)
			if pg := x.r.Page; !pg.Unified || !pg.LocalSignIn || pg.RememberMe != tc.want {
				t.Errorf("RememberMe = %v, want %v (page %+v)", pg.RememberMe, tc.want, pg)
			}
		})
	}
}
