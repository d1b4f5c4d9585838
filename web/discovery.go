package web

// Discovery is the OpenID Provider metadata B2C serves per policy.
type Discovery struct {
	Issuer                            string   `json:"issuer"`
	AuthorizationEndpoint             string   `json:"authorization_endpoint"`
	TokenEndpoint                     string   `json:"token_endpoint"`
	EndSessionEndpoint                string   `json:"end_session_endpoint"`
	JWKSURI                           string   `json:"jwks_uri"`
	ResponseModesSupported            []string `json:"response_modes_supported"`
	ResponseTypesSupported            []string `json:"response_types_supported"`
	ScopesSupported                   []string `json:"scopes_supported"`
	SubjectTypesSupported             []string `json:"subject_types_supported"`
	IDTokenSigningAlgValuesSupported  []string `json:"id_token_signing_alg_values_supported"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
	ClaimsSupported                   []string `json:"claims_supported"`
}

// discoveryDoc fills the document. base is the policy's URL prefix
// ("https://host/contoso.onmicrosoft.com/b2c_1_susi"), query is appended to every endpoint
// ("?p=B2C_1_susi" for the query form, else "").
func discoveryDoc(issuer, base, query string, claims []string) Discovery {
	return Discovery{
		Issuer:                            issuer,
		AuthorizationEndpoint:             base + "/oauth2/v2.0/authorize" + query,
		TokenEndpoint:                     base + "/oauth2/v2.0/token" + query,
		EndSessionEndpoint:                base + "/oauth2/v2.0/logout" + query,
		JWKSURI:                           base + "/discovery/v2.0/keys" + query,
		ResponseModesSupported:            []string{"query", "fragment", "form_post"},
		ResponseTypesSupported:            []string{"code", "code id_token", "code token", "code id_token token", "id_token", "id_token token", "token", "token id_token"},
		ScopesSupported:                   []string{"openid"},
		SubjectTypesSupported:             []string{"pairwise"},
		IDTokenSigningAlgValuesSupported:  []string{"RS256"},
		TokenEndpointAuthMethodsSupported: []string{"client_secret_post", "client_secret_basic"},
		ClaimsSupported:                   claims,
	}
}
