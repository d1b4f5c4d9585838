package main

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/b2cemu/b2cemu/emulator/policy"
)

// policyCheck is `b2cemu policy check FILE|FOLDER…`: load custom policy files as B2C would on
// upload, merge every relying-party policy with its bases, and report the problems or what
// each policy's journey runs.
func policyCheck(args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "check" || len(args) < 2 {
		return cannotRun(errors.New("usage: b2cemu policy check FILE|FOLDER…"))
	}
	policies, err := policy.Load(args[1:])
	ids := make([]string, 0, len(policies))
	for id := range policies {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		p := policies[id]
		fmt.Fprintf(stdout, "%s (%s)\n", p.ID, p.File)
		if p.Journey == nil {
			continue
		}
		fmt.Fprintf(stdout, "  journey %s\n", p.Journey.ID)
		for _, s := range p.Journey.Steps {
			var tps []string
			for _, ex := range s.Exchanges {
				kind := ""
				if tp := p.TechnicalProfiles[ex.TechnicalProfile]; tp != nil {
					kind = " [" + string(tp.Kind) + "]"
				}
				tps = append(tps, ex.TechnicalProfile+kind)
			}
			if s.Issuer != "" {
				tps = append(tps, s.Issuer)
			}
			fmt.Fprintf(stdout, "  %d. %s %s\n", s.Order, s.Type, strings.Join(tps, ", "))
		}
		if p.Refresh != nil {
			fmt.Fprintf(stdout, "  refresh tokens: journey %s\n", p.Refresh.ID)
		}
		for _, w := range p.Warnings {
			fmt.Fprintf(stdout, "  warning: %s\n", w.Error())
		}
	}
	if err != nil {
		fmt.Fprintln(stdout, err)
		return &exitError{errors.New("the policy files have problems (listed above)"), 1}
	}
	fmt.Fprintf(stdout, "%d relying-party policies load.\n", len(policies))
	return nil
}
