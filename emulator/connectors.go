package emulator

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/b2cemu/b2cemu/emulator/config"
	"github.com/b2cemu/b2cemu/emulator/connector"
)

// expiryWarning is how early a client certificate's coming expiry is announced.
const expiryWarning = 30 * 24 * time.Hour

// endpoints builds the connector endpoints: relative URLs on b2cemu itself, Basic
// credentials, client certificates and extra CAs. It reports whether the demo connector is
// used. Files that cannot be decoded are configuration problems, all reported at once.
func endpoints(cfg *config.Config, base string, now func() time.Time, log *slog.Logger) (map[string]connector.Endpoint, bool, error) {
	eps := map[string]connector.Endpoint{}
	demo := cfg.File == ""
	perr := &config.Error{File: configName(cfg)}
	for i, a := range cfg.APIConnectors {
		key := fmt.Sprintf("apiConnectors[%d]", i)
		ep := connector.Endpoint{Name: a.Name, URL: a.EndpointURL, Timeout: a.Timeout, Retries: config.DefaultRetries}
		if strings.HasPrefix(ep.URL, "/") {
			ep.URL = base + ep.URL
			demo = demo || strings.HasPrefix(a.EndpointURL, "/demo/api/")
		}
		if ep.Timeout == 0 {
			ep.Timeout = config.DefaultTimeout
		}
		if a.Retries != nil {
			ep.Retries = *a.Retries
		}
		switch a.Authentication.Type {
		case "", "basic":
			ep.Username, ep.Password = a.Authentication.Username, a.Authentication.Password
		case "none":
			log.Warn("api connector has no authentication; B2C requires basic or certificate authentication outside development", "connector", a.Name)
		case "certificate":
			for j, c := range a.Authentication.Certificates {
				ckey := fmt.Sprintf("%s.authentication.certificates[%d]", key, j)
				data, err := os.ReadFile(cfg.Resolve(c.File))
				if err != nil {
					perr.Problems = append(perr.Problems, config.Problem{Key: ckey + ".file", Msg: fmt.Sprintf("%q cannot be read: %v", c.File, err)})
					continue
				}
				cert, err := connector.LoadPFX(c.File, data, c.Password)
				switch {
				case errors.Is(err, connector.ErrWrongPassword):
					perr.Problems = append(perr.Problems, config.Problem{Key: ckey + ".password", Msg: fmt.Sprintf("is not the password of %q; set the password the PFX was exported with", c.File)})
					continue
				case err != nil:
					perr.Problems = append(perr.Problems, config.Problem{Key: ckey + ".file", Msg: fmt.Sprintf("%q: %v; export the certificate with its private key as a .pfx", c.File, err)})
					continue
				}
				if left := cert.Leaf.NotAfter.Sub(now()); left < expiryWarning {
					log.Warn("api connector client certificate expires soon (or has expired); upload a new one before it does",
						"connector", a.Name, "file", c.File, "subject", cert.Leaf.Subject.String(), "notAfter", cert.Leaf.NotAfter.UTC().Format(time.RFC3339))
				}
				ep.Certificates = append(ep.Certificates, cert)
			}
		}
		var ca []byte
		if a.CAFile != "" {
			b, err := os.ReadFile(cfg.Resolve(a.CAFile))
			if err != nil {
				perr.Problems = append(perr.Problems, config.Problem{Key: key + ".caFile", Msg: fmt.Sprintf("%q cannot be read: %v", a.CAFile, err)})
			}
			ca = b
		}
		if len(ep.Certificates) > 0 || len(ca) > 0 {
			hc, err := connector.NewHTTPClient(ep.Certificates, ca, now)
			if err != nil {
				perr.Problems = append(perr.Problems, config.Problem{Key: key + ".caFile", Msg: fmt.Sprintf("%q: %v; give PEM CA certificates (-----BEGIN CERTIFICATE-----)", a.CAFile, err)})
			}
			ep.HTTP = hc
		}
		eps[a.Name] = ep
	}
	if len(perr.Problems) > 0 {
		return nil, false, perr
	}
	return eps, demo, nil
}

func configName(cfg *config.Config) string {
	if cfg.File == "" {
		return config.DemoName
	}
	return cfg.File
}

// configError is one problem found while building from a valid-looking configuration.
func configError(cfg *config.Config, key, msg string) error {
	return &config.Error{File: configName(cfg), Problems: []config.Problem{{Key: key, Msg: msg}}}
}
