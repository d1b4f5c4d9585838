// Package codes is the one-time codes both engines send and check: email verification codes
// (a self-asserted page's Verified.Email and a custom policy's code-sending profiles), the
// second factor's state and page (text message, call, email code and authenticator app),
// the outbox records b2cemu writes instead of sending mail or text messages (Mail, SMS), and
// the phone-factor page's country list and number rules. The user-flow machine (flows) and
// the custom-policy journey (emulator/journey) both import it, so neither imports the other
// for them.
package codes
