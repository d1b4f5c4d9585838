package loadgen

import (
	"os"
	"testing"
)

func TestForm(t *testing.T) {
	page := []byte(`<form id="localAccountForm" class="localAccount" method="post" action="/contoso.onmicrosoft.com/B2C_1_local/flow?tx=1&amp;x=2" novalidate>` +
		`<input type="hidden" name="csrf" value="A&amp;B"> <input type="hidden" name="seq" value="0"><input type="email" id="email" class="" name="email">`)
	action, fields, signIn, err := form(page)
	if err != nil || action != "/contoso.onmicrosoft.com/B2C_1_local/flow?tx=1&x=2" || fields.Get("csrf") != "A&B" || fields.Get("seq") != "0" || len(fields) != 2 || signIn != "email" {
		t.Errorf("form = %q %v %q %v", action, fields, signIn, err)
	}
	if _, _, _, err := form([]byte(`<p>no form</p>`)); err == nil {
		t.Error("a page without the sign-in form was accepted")
	}
}

func TestProcessCPU(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc")
	}
	for i := 0; processCPU(os.Getpid()) == 0 && i < 1e8; i++ { // spend a tick of CPU
	}
	if processCPU(os.Getpid()) <= 0 || ownCPU() <= 0 {
		t.Errorf("processCPU %s, ownCPU %s", processCPU(os.Getpid()), ownCPU())
	}
	if processCPU(-1) != 0 {
		t.Error("a process that does not exist has CPU time")
	}
}
