package views

import "strconv"

func itoa(n int) string { return strconv.Itoa(n) }

func ariaHidden(shown bool) string { return strconv.FormatBool(!shown) }

func boolString(b bool) string { return strconv.FormatBool(b) }

func lang(l string) string {
	if l == "" {
		return "en"
	}
	return l
}

// readOnly reports whether a field is fixed by its verification: a verified address, or the
// address a display control sent its code to.
func readOnly(f Field) bool {
	if f.Verify == nil {
		return false
	}
	return f.Verify.State == "verified" || f.Verify.Control != "" && f.Verify.State == "sent"
}

// display is the inline style of B2C's error containers: shown or hidden.
func display(shown bool) string {
	if shown {
		return "display: block;"
	}
	return "display: none;"
}

// inline is the inline style of B2C's verification buttons and code input: shown or hidden.
func inline(shown bool) string {
	if shown {
		return "display: inline;"
	}
	return "display: none;"
}

// buttonType is a verification button's type: a submit button while its state shows it (so
// that it posts without scripts), else B2C's "button", which is never the default button.
func buttonType(shown bool) string {
	if shown {
		return "submit"
	}
	return "button"
}

// emailPattern is what the page's script checks an email address against before posting; the
// server's check (flows) is stricter, so a value that passes here can still be refused there.
const emailPattern = `^[^@\s]+@[^@\s]+\.[^@\s]+$`

// invalidText is the item-level text the page's script shows for a value that does not match
// the input's type.
func invalidText(p Page, f Field) string {
	if f.Invalid != "" {
		return p.Tr(f.Invalid)
	}
	if f.Type == "email" {
		return p.Tr("Please enter a valid email address.")
	}
	return ""
}

// displayOr is name, or fallback when it is empty.
func displayOr(name, fallback string) string {
	if name == "" {
		return fallback
	}
	return name
}

// dashIfEmpty shows an absent value as a dash.
func dashIfEmpty(v string) string {
	if v == "" {
		return "—"
	}
	return v
}

// isWidget reports whether a field is an authenticator-app display control, which shows
// claims and takes no input.
func isWidget(f Field) bool {
	switch f.InputType {
	case "QrCodeControl", "AuthenticatorInfoControl", "AuthenticatorAppIconControl":
		return true
	}
	return false
}

// infoID is the id suffix of an AuthenticatorInfoControl's items: the account, then the secret.
func infoID(i int) string {
	if i == 0 {
		return "account"
	}
	return "secret"
}
