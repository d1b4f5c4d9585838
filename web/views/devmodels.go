package views

// DevPage is what every developer page under /_emulator needs. Those pages are b2cemu's own:
// they never take the tenant's branding, so a developer tells them from the B2C pages.
type DevPage struct {
	Title   string
	Nav     string // the section shown: index, users, emails, calls
	Tenant  string // the tenant's name (contoso), as text in the header
	Notice  string // what the last action did
	Done    string // its key (?done=), for tests to wait on
	Problem string // why the last action was refused
	// SignOut offers the sign-out button: admin.token is set, so the browser holds it in a
	// cookie.
	SignOut bool
}

// DevLink is one entry of the index: a page or an endpoint.
type DevLink struct {
	Method, Path, Summary string
}

// DevPolicy is a policy on the index, with its discovery document and a run link.
type DevPolicy struct {
	ID, Type, Discovery, Run string
}

// DevIndex is the index of the developer pages and the admin API.
type DevIndex struct {
	DevPage
	Pages     []DevLink
	Policies  []DevPolicy
	Endpoints []DevLink // the admin API
	Routes    []DevLink // every other route: B2C's endpoints and pages, b2cemu's files
}

// DevUserRow is one user in the list.
type DevUserRow struct {
	ObjectID, Name, SignInName, Kind, Created, LastSignIn string
}

// DevUsers is the list of users, filtered by Query.
type DevUsers struct {
	DevPage
	Query string
	Total int // users in the directory, whatever the query
	Users []DevUserRow
}

// DevAttr is one of the tenant's attributes in a user's form.
type DevAttr struct {
	Name, Label, Type, Value string // Type: the attributes.DataType: string, int or boolean
}

// DevIdentity is one of a user's identities.
type DevIdentity struct {
	SignInType, Issuer, IssuerAssignedID string
}

// DevUser is one user: identities, attributes, sign-in activity and its actions.
type DevUser struct {
	DevPage
	ObjectID, Created, LastSignIn, RevokedAt string
	Local                                    bool // has a password
	Identities                               []DevIdentity
	Attrs                                    []DevAttr // the tenant's attributes, editable
	Other                                    []Hidden  // stored values that are not the tenant's attributes
}

// DevNewUser is the form that creates a local or federated user, kept filled when refused.
type DevNewUser struct {
	DevPage
	Kind                                    string // local or federated
	ObjectID, Email, Issuer, IssuerAssigned string
	Weak                                    bool
	Attrs                                   []DevAttr
}

// DevEmail is one message of the outbox.
type DevEmail struct {
	Time, To, Subject, Code, Policy, TechnicalProfile, RunID string
}

// DevEmails is the email outbox.
type DevEmails struct {
	DevPage
	To     string
	Emails []DevEmail
}

// DevSMS is one text message or call of the phone outbox.
type DevSMS struct {
	Time, To, Channel, Code, Policy, RunID string
}

// DevSMSs is the phone outbox.
type DevSMSs struct {
	DevPage
	To       string
	Messages []DevSMS
}

// DevLogin asks for the admin token.
type DevLogin struct {
	DevPage
	Next   string // where to go once signed in
	Failed bool   // the token given was wrong
}

// DevSignal is one fake Conditional Access signal: Who is "every sign-in" or a user, with the
// link to the user's page.
type DevSignal struct {
	Who, UserURL, Challenges, Risk, IPAddress string
}

// DevSignals are the fake Conditional Access signals, the global one first.
type DevSignals struct {
	DevPage
	Signals []DevSignal
}
