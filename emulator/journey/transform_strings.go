package journey

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/b2cemu/b2cemu/flows/engine"
)

func createString(_, params, out map[string]string) { out["createdClaim"] = params["value"] }

func copyClaim(in, _, out map[string]string) { out["outputClaim"] = in["inputClaim"] }

// randomString is CreateRandomString: a GUID, or an INTEGER up to maximumNumber, in
// stringFormat, base64-encoded when asked.
func (x *execution) randomString(u *use) *engine.Failure {
	v := x.NewID()
	if strings.EqualFold(u.params["randomGeneratorType"], "INTEGER") {
		n, _ := strconv.ParseUint(strings.ReplaceAll(v, "-", "")[:12], 16, 64)
		if max, err := strconv.ParseUint(u.params["maximumNumber"], 10, 64); err == nil && max > 0 {
			n %= max + 1
		}
		v = strconv.FormatUint(n, 10)
	}
	if f := u.params["stringFormat"]; f != "" {
		v = strings.ReplaceAll(f, "{0}", v)
	}
	if strings.EqualFold(u.params["base64"], "true") {
		v = base64.StdEncoding.EncodeToString([]byte(v))
	}
	u.out["outputClaim"] = v
	return nil
}

func (x *execution) formatString(u *use) *engine.Failure {
	format := strings.ReplaceAll(u.params["stringFormat"], "{RelyingPartyTenantId}", x.Tenant+".onmicrosoft.com")
	u.out["outputClaim"] = strings.ReplaceAll(format, "{0}", u.in["inputClaim"])
	return nil
}

func formatStrings(in, params, out map[string]string) {
	out["outputClaim"] = strings.NewReplacer("{0}", in["inputClaim1"], "{1}", in["inputClaim2"]).Replace(params["stringFormat"])
}

func changeCase(in, params, out map[string]string) {
	if strings.EqualFold(params["toCase"], "UPPER") {
		out["outputClaim1"] = strings.ToUpper(in["inputClaim1"])
	} else {
		out["outputClaim1"] = strings.ToLower(in["inputClaim1"])
	}
}

func alternativeSecurityID(in, _, out map[string]string) {
	b, _ := json.Marshal(map[string]string{"issuer": in["identityProvider"], "issuerUserId": base64.StdEncoding.EncodeToString([]byte(in["key"]))})
	out["alternativeSecurityId"] = string(b)
}

func nullify(_, _, out map[string]string) { out["claim_to_null"] = nullClaim }

func stringReplace(in, params, out map[string]string) {
	out["outputClaim"] = strings.ReplaceAll(in["inputClaim"], params["oldValue"], params["newValue"])
}

// substring is StringSubstring: length runes from startIndex (to the end when length is
// missing or too long); a start outside the string fails.
func substring(_ *execution, u *use) *engine.Failure {
	runes := []rune(u.in["inputClaim"])
	start, _ := strconv.Atoi(u.params["startIndex"])
	n, err := strconv.Atoi(u.params["length"])
	if err != nil || start+n > len(runes) {
		n = len(runes) - start
	}
	if start < 0 || start > len(runes) || n < 0 {
		return &engine.Failure{Message: "The service has encountered an internal error.", Diagnostic: fmt.Sprintf("%s: StringSubstring startIndex %d and length %s do not fit %q", u.t.ID, start, u.params["length"], u.in["inputClaim"])}
	}
	u.out["outputClaim"] = string(runes[start : start+n])
	return nil
}

func stringContains(in, params, out map[string]string) {
	v, c := in["inputClaim"], params["contains"]
	if ignoreCase(params, "ignoreCase") {
		v, c = strings.ToLower(v), strings.ToLower(c)
	}
	out["outputClaim"] = strconv.FormatBool(strings.Contains(v, c))
}

func parseDomain(in, _, out map[string]string) {
	if _, domain, ok := strings.Cut(in["emailAddress"], "@"); ok {
		out["domain"] = domain
	}
}

func stringSplit(in, params, out map[string]string) {
	b, _ := json.Marshal(strings.Split(in["inputClaim"], params["delimiter"]))
	out["outputClaim"] = string(b)
}

func stringJoin(in, params, out map[string]string) {
	var list []string
	_ = json.Unmarshal([]byte(in["inputClaim"]), &list)
	out["outputClaim"] = strings.Join(list, params["delimiter"])
}

// hash is b2cemu's own Hash (B2C does not publish its algorithm): equal inputs, equal hashes.
func (x *execution) hash(u *use) *engine.Failure {
	secret := x.PolicyKeys[strings.ToLower(u.params["randomizerSecret"])]
	sum := sha256.Sum256([]byte(u.in["plaintext"] + "\x00" + u.in["salt"] + "\x00" + secret))
	u.out["hash"] = base64.StdEncoding.EncodeToString(sum[:])
	return nil
}

// buildURI is BuildUri: scheme://host/path?query, from the scheme and host parameters, the
// path input claim (percent-encoded as a path) and the query.<name> input claims, then
// parameters, in document order (form-encoded) — the otpauth:// URI of an authenticator
// app's QR code. An input claim without a value leaves its query parameter out.
func buildURI(_ *execution, u *use) *engine.Failure {
	var query []string
	add := func(role, v string) {
		if name, ok := strings.CutPrefix(role, "query."); ok && v != "" {
			query = append(query, url.QueryEscape(name)+"="+url.QueryEscape(v))
		}
	}
	for _, c := range u.t.InputClaims {
		add(c.Role, u.in[c.Role])
	}
	for _, p := range u.t.Parameters {
		add(p.ID, p.Value)
	}
	s := u.params["scheme"] + "://" + u.params["host"]
	if path := u.in["path"]; path != "" {
		s += (&url.URL{Path: "/" + strings.TrimPrefix(path, "/")}).EscapedPath()
	}
	if len(query) > 0 {
		s += "?" + strings.Join(query, "&")
	}
	u.out["outputClaim"] = s
	return nil
}
