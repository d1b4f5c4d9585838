package emulator

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
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
			ep.Certificates = loadCertificates(cfg, key+".authentication.certificates", a.Authentication.Certificates, now, perr,
				func(c config.Certificate, cert connector.ClientCert) {
					log.Warn("api connector client certificate expires soon (or has expired); upload a new one before it does",
						"connector", a.Name, "file", c.File, "subject", cert.Leaf.Subject.String(), "notAfter", cert.Leaf.NotAfter.UTC().Format(time.RFC3339))
				})
		}
		ca := readCAFile(cfg, key+".caFile", a.CAFile, perr)
		if len(ep.Certificates) > 0 || len(ca) > 0 {
			ep.HTTP = httpClient(ep.Certificates, ca, key+".caFile", a.CAFile, now, perr)
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
	return &config.Error{File: configName(cfg), Problems: []config.Problem{cfg.Problem(key, msg)}}
}

// loadCertificates reads PKCS#12 client certificates (an API connector's, or a custom policy's
// certificate key), adding a problem under key for each that cannot be used; expiring is
// called for one that expires within 30 days.
func loadCertificates(cfg *config.Config, key string, certs []config.Certificate, now func() time.Time, perr *config.Error,
	expiring func(config.Certificate, connector.ClientCert)) []connector.ClientCert {
	var out []connector.ClientCert
	for j, c := range certs {
		ckey := fmt.Sprintf("%s[%d]", key, j)
		data, err := os.ReadFile(cfg.Resolve(c.File))
		if err != nil {
			perr.Problems = append(perr.Problems, cfg.Problem(ckey+".file", fmt.Sprintf("%q cannot be read: %v", c.File, err)))
			continue
		}
		cert, err := connector.LoadPFX(c.File, data, c.Password)
		switch {
		case errors.Is(err, connector.ErrWrongPassword):
			perr.Problems = append(perr.Problems, cfg.Problem(ckey+".password", fmt.Sprintf("is not the password of %q; set the password the PFX was exported with", c.File)))
			continue
		case err != nil:
			perr.Problems = append(perr.Problems, cfg.Problem(ckey+".file", fmt.Sprintf("%q: %v", c.File, err)))
			continue
		}
		if cert.Leaf.NotAfter.Sub(now()) < expiryWarning {
			expiring(c, cert)
		}
		out = append(out, cert)
	}
	return out
}

// readCAFile reads an extra CA file (PEM) to trust, or nil when none is configured.
func readCAFile(cfg *config.Config, key, file string, perr *config.Error) []byte {
	if file == "" {
		return nil
	}
	b, err := os.ReadFile(cfg.Resolve(file))
	if err != nil {
		perr.Problems = append(perr.Problems, cfg.Problem(key, fmt.Sprintf("%q cannot be read: %v", file, err)))
	}
	return b
}

// httpClient is a client presenting certs and trusting ca besides the system's roots.
func httpClient(certs []connector.ClientCert, ca []byte, key, file string, now func() time.Time, perr *config.Error) *http.Client {
	hc, err := connector.NewHTTPClient(certs, ca, now)
	if err != nil {
		perr.Problems = append(perr.Problems, config.Problem{Key: key, Msg: fmt.Sprintf("%q: %v; give PEM CA certificates (-----BEGIN CERTIFICATE-----)", file, err)})
	}
	return hc
}
