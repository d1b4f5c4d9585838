package policy_test

import "github.com/b2cemu/b2cemu/emulator/policy/policytest"

// policyEdit replaces old with new in a fixture's XML, and fails the test unless old occurs
// exactly once, so a drifted edit never tests the unedited policy.
var policyEdit = policytest.Edit
