package journey

import (
	"fmt"
	"strings"

	"github.com/b2cemu/b2cemu/emulator/policy"
	"github.com/b2cemu/b2cemu/flows/engine"
)

// nullClaim is an output value that removes the claim from the bag (NullClaim).
const nullClaim = "\x00null"

// use is one claims transformation at work: the profile that runs it (its messages), the
// compiled transformation, its inputs by TransformationClaimType, its parameters by Id, and
// the outputs the method writes by TransformationClaimType.
type use struct {
	tp         *policy.TechnicalProfile
	t          *policy.ClaimsTransformation
	in, params map[string]string
	out        map[string]string
}

// method runs one TransformationMethod.
type method func(x *execution, u *use) *engine.Failure

// pure is a method that only maps inputs and parameters to outputs.
func pure(f func(in, params, out map[string]string)) method {
	return func(_ *execution, u *use) *engine.Failure {
		f(u.in, u.params, u.out)
		return nil
	}
}

// methods are the claims transformation methods b2cemu runs, by TransformationMethod, as
// Microsoft documents them; each is in the file of its family (strings, booleans and
// comparisons, collections and JSON, dates and numbers, federated identities). A new method is its function and
// one entry here.
var methods = map[string]method{
	// strings (transform_strings.go)
	"CreateStringClaim":           pure(createString),
	"CopyClaim":                   pure(copyClaim),
	"CreateRandomString":          (*execution).randomString,
	"FormatStringClaim":           (*execution).formatString,
	"FormatStringMultipleClaims":  pure(formatStrings),
	"ChangeCase":                  pure(changeCase),
	"CreateAlternativeSecurityId": pure(alternativeSecurityID),
	"NullClaim":                   pure(nullify),
	"StringReplace":               pure(stringReplace),
	"StringSubstring":             substring,
	"StringContains":              pure(stringContains),
	"ParseDomain":                 pure(parseDomain),
	"StringSplit":                 pure(stringSplit),
	"StringJoin":                  pure(stringJoin),
	"Hash":                        (*execution).hash,
	"CreateOtpSecret":             (*execution).otpSecret, // azuremfa.go
	"BuildUri":                    buildURI,
	// comparisons and booleans (transform_compare.go)
	"CompareClaimToValue":              compareClaims,
	"CompareClaims":                    compareClaims,
	"AssertStringClaimsAreEqual":       (*execution).assertStringsEqual,
	"AssertBooleanClaimIsEqualToValue": (*execution).assertBoolean,
	"AssertDateTimeIsGreaterThan":      (*execution).assertDateTimeLater,
	"DoesClaimExist":                   pure(claimExists),
	"SetClaimsIfStringsAreEqual":       pure(setIfStringsEqual),
	"SetClaimsIfStringsMatch":          pure(setIfStringsMatch),
	"SetClaimsIfRegexMatch":            (*execution).setIfRegexMatch,
	"SetClaimIfBooleansMatch":          pure(setIfBooleansMatch),
	"AndClaims":                        pure(andClaims),
	"OrClaims":                         pure(orClaims),
	"NotClaims":                        pure(notClaims),
	"CompareBooleanClaimToValue":       pure(compareBoolean),
	"LookupValue":                      (*execution).lookupValue,
	// collections, JSON, dates and numbers (transform_data.go)
	"AddItemToStringCollection":         pure(addItem),
	"AddParameterToStringCollection":    pure(addParameter),
	"GetSingleItemFromStringCollection": pure(firstItem),
	"StringCollectionContains":          pure(collectionContains),
	"StringCollectionContainsClaim":     pure(collectionContains),
	"GetClaimFromJson":                  pure(claimFromJSON),
	"GenerateJson":                      generateJSON,
	"GetCurrentDateTime":                (*execution).currentDateTime,
	"DateTimeComparison":                (*execution).dateTimeComparison, // datecompare.go
	"IsTermsOfUseConsentRequired":       func(_ *execution, u *use) *engine.Failure { return termsConsentRequired(u) },
	"ConvertNumberToStringClaim":        pure(copyNumber),
	// user identities and alternative security ids: account linking (transform_identity.go)
	"CreateUserIdentity":                                                    pure(createUserIdentity),
	"AddItemToUserIdentityCollection":                                       addIdentity,
	"GetIssuersFromUserIdentityCollectionTransformation":                    issuersOf("userIdentityCollection", "issuersCollection"),
	"RemoveUserIdentityFromCollectionByIssuer":                              removeIssuer("issuer"),
	"AddItemToAlternativeSecurityIdCollection":                              addIdentity,
	"GetIdentityProvidersFromAlternativeSecurityIdCollectionTransformation": issuersOf("alternativeSecurityIdCollection", "identityProvidersCollection"),
	"RemoveAlternativeSecurityIdByIdentityProvider":                         removeIssuer("identityProvider"),
	// phone numbers (transform_phone.go)
	"ConvertStringToPhoneNumberClaim": (*execution).phoneNumber,
	"ConvertPhoneNumberClaimToString": pure(phoneString),
}

// methodsFolded are the methods by their lower-case names: B2C reads a TransformationMethod
// in any case (the community samples' setClaimsIfRegexMatch runs on B2C, as Microsoft's own
// reference example spelled it; docs/custom-policies.md).
var methodsFolded = func() map[string]method {
	m := make(map[string]method, len(methods))
	for name, f := range methods {
		m[strings.ToLower(name)] = f
	}
	return m
}()

// transform runs a claims transformation over scope: its input claims from scope, its method,
// its output claims into scope (a NullClaim output removes the claim).
func (x *execution) transform(tp *policy.TechnicalProfile, id string, scope map[string]string) *engine.Failure {
	t := x.p.ClaimsTransformation(id)
	u := &use{tp: tp, t: t, in: map[string]string{}, params: t.Params, out: map[string]string{}}
	for _, c := range t.InputClaims {
		u.in[c.Role] = scope[strings.ToLower(c.ClaimType)]
	}
	run, ok := methodsFolded[strings.ToLower(t.Method)]
	if !ok {
		return unsupported(tp, fmt.Sprintf("the claims transformation method %q (%s)", t.Method, id))
	}
	if err := run(x, u); err != nil {
		return err
	}
	for _, c := range t.OutputClaims {
		switch v, ok := u.out[c.Role]; {
		case ok && v == nullClaim:
			delete(scope, strings.ToLower(c.ClaimType))
		case ok:
			scope[strings.ToLower(c.ClaimType)] = v
		}
	}
	return nil
}

// ignoreCase reads a parameter that asks for a case-insensitive comparison: true, or a
// StringComparison such as OrdinalIgnoreCase.
func ignoreCase(params map[string]string, key string) bool {
	return strings.EqualFold(params[key], "true") || strings.HasSuffix(strings.ToLower(params[key]), "ignorecase")
}

func equalFold(a, b string, fold bool) bool { return a == b || fold && strings.EqualFold(a, b) }
