package views

// The built-in page templates, named as a user flow's page layout setting names them
// (docs/pages.md#page-templates). Each is a stylesheet in web/static of the same name.
const (
	OceanBlue = "oceanBlue" // the default for new user flows (LoadUri ~/tenant/templates/AzureBlue/…)
	SlateGray = "slateGray" // ~/tenant/templates/MSA/…
	Classic   = "classic"   // ~/tenant/default/…
)

// Templates are the built-in templates, the default first.
var Templates = []string{OceanBlue, SlateGray, Classic}

// templateOf is t when it is a built-in template, else Ocean Blue, the default.
func templateOf(t string) string {
	for _, known := range Templates {
		if t == known {
			return t
		}
	}
	return OceanBlue
}
