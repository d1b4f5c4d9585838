package flows

import (
	"github.com/b2cemu/b2cemu/flows/engine"
)

// mfaPage describes the run's second-factor page.
func (m *Machine) mfaPage(def *Definition, r *engine.Run) *engine.Page {
	st := stateOf(r).mfa
	email := ""
	if r.User != nil {
		email = r.User.Email()
	}
	page := st.View(m.Tenant, email)
	if st.FirstFactor != "" {
		page.Title = map[string]string{"signUp": titleSignUp, "signIn": titleSignIn}[st.FirstFactor]
	}
	return page
}
